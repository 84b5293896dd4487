using System.Text.Json.Serialization;
using Berth.Cli.Connection;

namespace Berth.Cli;

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(LoginFile))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
