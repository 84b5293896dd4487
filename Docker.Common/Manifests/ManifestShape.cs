using System.Text.Json;

namespace Docker.Common.Manifests;

/// <summary>
/// What a document says it is, read from its top level alone: its declared media type and whether it lists manifests
/// (a list or index) or config and layers (an image manifest). Enough to route a pushed document to its unit type
/// without building it: the importer parses it in full, and refuses it if the shape lied.
/// </summary>
/// <param name="MediaType">The top-level <c>mediaType</c>, when it is a string of at most <see cref="MaxMediaTypeBytes"/>.</param>
/// <param name="EffectiveMediaType">The declared media type or, for OCI documents without one, the one their shape implies.</param>
public sealed record ManifestShape(string? MediaType, string EffectiveMediaType)
{
    /// <summary>Media types are short (RFC 6838 caps each part at 127 characters); a longer value is not read.</summary>
    public const int MaxMediaTypeBytes = 255;

    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    /// <summary>Whether the document is a manifest list or an image index.</summary>
    public bool IsIndex => MediaTypes.IsIndex(EffectiveMediaType);

    /// <summary>The document's shape, or <see langword="null"/> when it is not a JSON object (the full parse says why).</summary>
    public static ManifestShape? Read(ReadOnlySpan<byte> document)
    {
        var reader = new Utf8JsonReader(document, Options);
        string? mediaType = null;
        var unreadableMediaType = false;
        var listsManifests = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMediaType = reader.ValueTextEquals("mediaType"u8);
                listsManifests |= reader.ValueTextEquals("manifests"u8);
                reader.Read();
                if (isMediaType)
                {
                    var readable = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= MaxMediaTypeBytes;
                    mediaType = readable ? reader.GetString() : null;
                    unreadableMediaType = !readable;
                }

                // Steps over an object or array value; a no-op on any other.
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            return null;
        }

        var effective = mediaType ?? (unreadableMediaType ? string.Empty : listsManifests ? MediaTypes.OciIndex : MediaTypes.OciManifest);
        return new ManifestShape(mediaType, effective);
    }
}
