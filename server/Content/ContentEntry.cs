using Docker.Common.Digests;

namespace Berth.Server.Content;

/// <summary>
/// One thing a content store holds: its <see cref="Name"/> in the store (a path under the data folder, a key in the
/// bucket), the digest it is stored under (<see langword="null"/> for a stray that has no business there), its size and
/// when it was stored.
/// </summary>
public sealed record ContentEntry(string Name, Digest? Digest, long Size, DateTimeOffset Stored);
