using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Cli.Connection;

namespace Berth.Cli;

[JsonSerializable(typeof(LoginFile))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>The context with berth's own JSON settings (<see cref="CliJson"/>), which attributes cannot set.</summary>
    public static CliJsonContext Files { get; } = new(new JsonSerializerOptions(CliJson.Indented));
}
