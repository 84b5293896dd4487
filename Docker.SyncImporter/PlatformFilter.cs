using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Docker.Common.Digests;
using Docker.Common.Manifests;

namespace Docker.SyncImporter;

/// <summary>
/// Which platforms of a list a sync keeps: <c>["linux/amd64", "linux/arm64/v8"]</c>. A list whose every platform is kept
/// comes as upstream has it; of any other, the repository gets a list of the kept manifests only (and of the attestation
/// manifests that describe them), with a digest of its own: a repository never holds a list that names what it lacks.
/// </summary>
internal sealed class PlatformFilter
{
    private const int MostPlatforms = 64;

    // Where buildx says an index entry is another entry's attestation, and which.
    private const string ReferenceType = "vnd.docker.reference.type";
    private const string ReferenceDigest = "vnd.docker.reference.digest";

    private static readonly JsonSerializerOptions Writing = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly IReadOnlyList<(string Os, string Architecture, string? Variant)> _platforms;

    private PlatformFilter(IReadOnlyList<(string Os, string Architecture, string? Variant)> platforms) => _platforms = platforms;

    public static PlatformFilter? Read(JsonObject config, string key, string objectName)
    {
        if (!config.TryGetPropertyValue(key, out var node) || node is null)
        {
            return null;
        }

        var platforms = new List<(string, string, string?)>();
        if (node is JsonArray { Count: > 0 and <= MostPlatforms } array)
        {
            foreach (var item in array)
            {
                var parts = item is JsonValue value && value.TryGetValue<string>(out var text) ? text.Split('/') : [];
                if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length is 0 or > 64 || !char.IsAsciiLetterOrDigit(p[0]) || !p.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                {
                    platforms.Clear();
                    break;
                }

                platforms.Add((parts[0], parts[1], parts.Length == 3 ? parts[2] : null));
            }
        }

        return platforms.Count > 0
            ? new PlatformFilter(platforms)
            : throw new ContentException(
                ContentError.InvalidConfiguration,
                $"{objectName}.{key} must be a list of 1 to {MostPlatforms} platforms as os/architecture[/variant], such as [\"linux/amd64\", \"linux/arm64/v8\"]");
    }

    public bool Matches(Platform? platform) =>
        platform is not null && _platforms.Any(p => p.Os == platform.Os && p.Architecture == platform.Architecture && (p.Variant is null || p.Variant == platform.Variant));

    /// <summary>
    /// The manifest as the repository gets it: itself, when it is not a list or every entry of it is kept; a list of the
    /// kept entries, when some are; <see langword="null"/> when none is.
    /// </summary>
    public UpstreamManifest? Apply(UpstreamManifest manifest, Manifest parsed)
    {
        if (parsed is not ImageIndex index)
        {
            return manifest;
        }

        var kept = index.Manifests.Where(d => Matches(d.Platform)).Select(d => d.Digest).ToHashSet();
        kept.UnionWith(index.Manifests
            .Where(d => d.Annotations is { } notes && notes.TryGetValue(ReferenceType, out var type) && type == "attestation-manifest" &&
                notes.TryGetValue(ReferenceDigest, out var described) && Digest.TryParse(described, out var subject) && kept.Contains(subject))
            .Select(d => d.Digest)
            .ToList());
        if (kept.Count == 0)
        {
            return null;
        }

        if (index.Manifests.All(d => kept.Contains(d.Digest)))
        {
            return manifest;
        }

        // The entries kept exactly as upstream wrote them; the rest of the document too.
        var document = JsonNode.Parse(manifest.Bytes)!.AsObject();
        var entries = document["manifests"]!.AsArray();
        foreach (var entry in entries.Where(e => !(Digest.TryParse(e?["digest"]?.GetValue<string>(), out var digest) && kept.Contains(digest))).ToList())
        {
            entries.Remove(entry);
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(document, Writing);
        return new UpstreamManifest(bytes, Digest.Compute(bytes, manifest.Digest.Algorithm), manifest.ContentType);
    }
}
