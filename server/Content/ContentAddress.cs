using Docker.Common.Digests;

namespace Berth.Server.Content;

/// <summary>
/// Where content lives under a store's root, the same in every store: <c>ALG/HH/HEX</c>, HH the first two hex digits,
/// so that a folder (or a key prefix) holds one algorithm's 256th part, and a listing comes in digest order.
/// </summary>
public static class ContentAddress
{
    /// <summary>The names along the way to a digest's content: the algorithm, the first two hex digits, all of them.</summary>
    public static string[] Parts(Digest digest) => [digest.Algorithm.Name, digest.Encoded[..2], digest.Encoded];

    /// <summary>The digest names along the way lead to, or <see langword="null"/> for a place that has no business holding content.</summary>
    public static Digest? Parse(IReadOnlyList<string> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return parts.Count == 3 && parts[1].Length == 2 && parts[2].StartsWith(parts[1], StringComparison.Ordinal) &&
               Digest.TryParse($"{parts[0]}:{parts[2]}", out var digest)
            ? digest
            : null;
    }
}
