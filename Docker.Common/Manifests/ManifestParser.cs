using System.Text.Json;

namespace Docker.Common.Manifests;

/// <summary>
/// Parses and validates Docker schema2 manifests, Docker manifest lists, OCI image manifests and OCI image
/// indexes, reporting every problem with its JSON path. Unknown fields are ignored, as the OCI spec asks;
/// duplicate keys are refused, so no two parsers can read one document differently.
/// </summary>
public static class ManifestParser
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
    };

    /// <summary>Parses a manifest document.</summary>
    /// <exception cref="ManifestInvalidException">With every problem found.</exception>
    public static Manifest Parse(ReadOnlyMemory<byte> document) => Parse(document, int.MaxValue);

    /// <summary>
    /// Parses a manifest document that may list at most <paramref name="maxReferences"/> layers, or manifests if it is a
    /// list or index: a longer array is refused before any of its descriptors is read.
    /// </summary>
    /// <exception cref="ManifestInvalidException">With every problem found.</exception>
    public static Manifest Parse(ReadOnlyMemory<byte> document, int maxReferences)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxReferences);
        // JsonDocument decodes strings only when asked: invalid UTF-8 must be refused here, not met while reading.
        if (!System.Text.Unicode.Utf8.IsValid(document.Span))
        {
            throw new ManifestInvalidException(["the document is not valid JSON: it is not UTF-8"]);
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(document, Options);
        }
        catch (JsonException e)
        {
            throw new ManifestInvalidException([$"the document is not valid JSON: {e.Message}"]);
        }

        using (json)
        {
            return new ManifestReader(maxReferences).Read(json.RootElement);
        }
    }
}
