using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Berth.Server.Errors;

/// <summary>The content API's error body, in Pulp 2's shape.</summary>
public sealed record PulpError(
    int HttpStatus,
    string HttpRequestMethod,
    [property: JsonPropertyName("_href")] string Href,
    string ErrorMessage,
    PulpErrorDetail Error)
{
    public object? Exception => null;

    public object? Traceback => null;
}

public sealed record PulpErrorDetail(string Code, string Description, JsonObject Data)
{
    public IReadOnlyList<object> SubErrors { get; } = [];
}
