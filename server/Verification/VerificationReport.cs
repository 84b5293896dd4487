using System.Text.Json.Serialization;

namespace Berth.Server.Verification;

/// <summary>What a verification read and what it found wrong; nothing wrong when <see cref="Problems"/> is empty.</summary>
public sealed record VerificationReport(
    [property: JsonPropertyName("content_files")] long ContentFiles,
    [property: JsonPropertyName("content_bytes")] long ContentBytes,
    [property: JsonPropertyName("units")] long Units,
    [property: JsonPropertyName("tags")] long Tags,
    [property: JsonPropertyName("problems")] IReadOnlyList<ContentProblem> Problems)
{
    [JsonPropertyName("ok")]
    public bool Ok => Problems.Count == 0;
}
