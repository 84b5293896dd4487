using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Berth.Tests.OpenApi;

/// <summary>
/// The server's OpenAPI document, read as a contract: which operations it names, and for each operation and status
/// the JSON Schema of the body. The schemas are closed before use: an object may hold only the properties its schema
/// declares, so that a field the server writes and the document does not know fails the check.
/// </summary>
public sealed class ApiContract
{
    public const string DocumentPath = "/openapi/v1.json";

    private const string ComponentPrefix = "#/components/schemas/";

    private static readonly string[] Methods = ["get", "put", "post", "delete", "head", "patch", "options"];

    private readonly JsonObject _definitions;
    private readonly Dictionary<(string Method, string Path, int Status), JsonSchema?> _schemas = [];
    private readonly List<(Regex Pattern, string Path)> _paths;

    public ApiContract(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        Document = document;
        _definitions = Close((JsonObject)document["components"]!["schemas"]!.DeepClone()).AsObject();
        _paths = [.. Paths.Select(p => (new Regex("^" + Regex.Replace(Regex.Escape(p), @"\\\{[^}]+}", "[^/]+") + "$"), p))];
    }

    public JsonObject Document { get; }

    public IEnumerable<string> Paths => Document["paths"]!.AsObject().Select(p => p.Key);

    /// <summary>Every operation the document names, as <c>METHOD path</c>.</summary>
    public IEnumerable<Operation> Operations =>
        Document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Where(o => Methods.Contains(o.Key)).Select(o => new Operation(o.Key.ToUpperInvariant(), p.Key)));

    /// <summary>The statuses the document gives an operation.</summary>
    public IEnumerable<int> Statuses(Operation operation) =>
        Responses(operation).Select(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The operations with a JSON body on success, with that status: what the responses test must exercise.</summary>
    public IEnumerable<(Operation Operation, int Status)> JsonSuccesses =>
        Operations.SelectMany(o => Statuses(o).Where(s => s is >= 200 and < 300 && Schema(o, s) is not null).Select(s => (o, s)));

    /// <summary>The documented operation a request falls under, if any.</summary>
    public Operation? Find(string method, string path)
    {
        var template = _paths.FirstOrDefault(p => p.Pattern.IsMatch(path)).Path;
        return template is null || Document["paths"]![template]![method.ToLowerInvariant()] is null ? null : new Operation(method, template);
    }

    /// <summary>The closed schema of an operation's JSON body for a status; null when that response has no JSON body.</summary>
    public JsonSchema? Schema(Operation operation, int status)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var key = (operation.Method, operation.Path, status);
        if (!_schemas.TryGetValue(key, out var schema))
        {
            var node = Responses(operation).FirstOrDefault(r => r.Key == status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Value?["content"]?["application/json"]?["schema"];
            if (node is not null)
            {
                var root = Close(node.DeepClone()).AsObject();
                root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
                root["$defs"] = _definitions.DeepClone();
                var text = root.ToJsonString();
                using var parsed = JsonDocument.Parse(text);
                schema = JsonSchema.Build(parsed.RootElement.Clone(), null, new Uri($"https://berth.test/openapi/{Guid.NewGuid():N}"));
            }

            _schemas[key] = schema;
        }

        return schema;
    }

    /// <summary>Validates a body against the schema; the messages of what does not match, none when it does.</summary>
    public static IReadOnlyList<string> Validate(JsonSchema schema, string body)
    {
        ArgumentNullException.ThrowIfNull(schema);
        using var instance = JsonDocument.Parse(body);
        var results = schema.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : [.. (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))];
    }

    private JsonObject Responses(Operation operation) =>
        Document["paths"]?[operation.Path]?[operation.Method.ToLowerInvariant()]?["responses"]?.AsObject() ?? [];

    // Every object schema that lists its properties admits no others, and the document's references point into $defs.
    private static JsonNode Close(JsonNode node)
    {
        switch (node)
        {
            case JsonObject schema:
                foreach (var (_, child) in schema.ToList())
                {
                    if (child is not null)
                    {
                        Close(child);
                    }
                }

                if (schema["$ref"] is JsonValue reference && reference.GetValue<string>().StartsWith(ComponentPrefix, StringComparison.Ordinal))
                {
                    schema["$ref"] = "#/$defs/" + reference.GetValue<string>()[ComponentPrefix.Length..];
                }

                if (schema["properties"] is JsonObject && !schema.ContainsKey("additionalProperties"))
                {
                    schema["additionalProperties"] = false;
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        Close(child);
                    }
                }

                break;
        }

        return node;
    }
}

/// <summary>One operation of the document: a method on a path template.</summary>
public sealed record Operation(string Method, string Path)
{
    public override string ToString() => $"{Method} {Path}";
}
