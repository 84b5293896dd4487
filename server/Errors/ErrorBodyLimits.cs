using System.Text.Json.Nodes;

namespace Berth.Server.Errors;

/// <summary>
/// How large an error body may grow, whatever produced it: a refusal may quote what the client sent (a media type,
/// unknown field names, missing digests), and without a bound a small request could get a large answer and a large
/// log line. Importers list less on their own (<c>Berth:Imports:MaxListedInErrors</c>); this is the backstop that
/// both APIs' error writers apply.
/// </summary>
public static class ErrorBodyLimits
{
    /// <summary>The longest message, in characters; a longer one is cut and says so.</summary>
    public const int MaxMessageChars = 4096;

    /// <summary>The most items of any array, or fields of any object, in an error's details.</summary>
    public const int MaxItems = 100;

    /// <summary>The longest string in an error's details, in characters.</summary>
    public const int MaxDetailChars = 1024;

    private const string Cut = "… (cut)";

    public static string Clamp(string message) =>
        message.Length <= MaxMessageChars ? message : string.Concat(message.AsSpan(0, MaxMessageChars - Cut.Length), Cut);

    /// <summary>A copy of the details with every array and string within bounds.</summary>
    public static JsonNode? Clamp(JsonNode? details) => details switch
    {
        null => null,
        JsonObject obj => new JsonObject(obj.Take(MaxItems).Select(p => KeyValuePair.Create(ClampKey(p.Key), Clamp(p.Value)))),
        JsonArray array => new JsonArray([.. array.Take(MaxItems).Select(Clamp)]),
        JsonValue value when value.TryGetValue<string>(out var text) && text.Length > MaxDetailChars =>
            JsonValue.Create(string.Concat(text.AsSpan(0, MaxDetailChars - Cut.Length), Cut)),
        _ => details.DeepClone(),
    };

    private static string ClampKey(string key) => key.Length <= MaxDetailChars ? key : key[..MaxDetailChars];
}
