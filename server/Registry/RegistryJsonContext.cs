using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Server.Registry;

/// <summary>Source-generated JSON for the registry API's own bodies (names as the spec spells them).</summary>
[JsonSerializable(typeof(RegistryErrorBody))]
[JsonSerializable(typeof(TagList))]
[JsonSerializable(typeof(Catalog))]
public sealed partial class RegistryJsonContext : JsonSerializerContext
{
    public static RegistryJsonContext Api { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}

/// <summary>The body of a tags list.</summary>
public sealed record TagList([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags);

/// <summary>The body of the catalog.</summary>
public sealed record Catalog([property: JsonPropertyName("repositories")] IReadOnlyList<string> Repositories);
