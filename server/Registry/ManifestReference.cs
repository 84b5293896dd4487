using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using Docker.Common.Digests;
using Docker.Common.References;

namespace Berth.Server.Registry;

/// <summary>The <c>&lt;reference&gt;</c> of a manifest URL: a digest when it holds a colon, a tag otherwise.</summary>
public readonly record struct ManifestReference(Digest? Digest, TagName? Tag)
{
    /// <summary>For a push or a delete, which must name a manifest properly.</summary>
    /// <exception cref="RegistryException">DIGEST_INVALID or TAG_INVALID.</exception>
    public static ManifestReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return TryParse(reference, out var parsed, out var problem)
            ? parsed
            : throw new RegistryException(IsDigest(reference) ? RegistryError.DigestInvalid : RegistryError.TagInvalid, problem, JsonValue.Create(reference));
    }

    /// <summary>
    /// For a lookup, where a reference that is neither a tag nor a digest names no manifest: the spec wants a
    /// manifest that is not found answered with 404, and what cannot be named cannot be found.
    /// </summary>
    public static bool TryParse(string reference, out ManifestReference parsed, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(reference);
        parsed = default;
        if (IsDigest(reference))
        {
            if (!Docker.Common.Digests.Digest.TryParse(reference, out var digest, out problem))
            {
                return false;
            }

            parsed = new ManifestReference(digest, null);
            return true;
        }

        if (!TagName.TryParse(reference, out var tag, out problem))
        {
            return false;
        }

        parsed = new ManifestReference(null, tag);
        return true;
    }

    private static bool IsDigest(string reference) => reference.Contains(':', StringComparison.Ordinal);
}
