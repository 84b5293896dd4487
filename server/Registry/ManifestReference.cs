using System.Text.Json.Nodes;
using Docker.Common.Digests;
using Docker.Common.References;

namespace Berth.Server.Registry;

/// <summary>The <c>&lt;reference&gt;</c> of a manifest URL: a digest when it holds a colon, a tag otherwise.</summary>
public readonly record struct ManifestReference(Digest? Digest, TagName? Tag)
{
    /// <exception cref="RegistryException">DIGEST_INVALID or TAG_INVALID.</exception>
    public static ManifestReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Contains(':', StringComparison.Ordinal))
        {
            return Docker.Common.Digests.Digest.TryParse(reference, out var digest, out var digestProblem)
                ? new ManifestReference(digest, null)
                : throw new RegistryException(RegistryError.DigestInvalid, digestProblem, JsonValue.Create(reference));
        }

        return TagName.TryParse(reference, out var tag, out var tagProblem)
            ? new ManifestReference(null, tag)
            : throw new RegistryException(RegistryError.TagInvalid, tagProblem, JsonValue.Create(reference));
    }
}
