using Docker.Common.Digests;
using Microsoft.Extensions.Caching.Memory;

namespace Berth.Server.Content;

/// <summary>
/// Small contents (manifests) kept in memory after their first read. Content is addressed by digest and never
/// changes, so nothing is ever stale; the cache is bounded in bytes and drops the least used first. Meant for
/// documents of a few MiB at most: whatever is read is read whole.
/// </summary>
public sealed class ContentCache(IContentStore store) : IDisposable
{
    /// <summary>Content larger than this is read from the store every time, never kept.</summary>
    public const int MaxEntryBytes = 4 * 1024 * 1024;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 64L * 1024 * 1024 });

    /// <summary>The bytes of stored content, or <see langword="null"/> when there is none.</summary>
    public async Task<byte[]?> ReadAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(digest, out byte[]? cached))
        {
            return cached;
        }

        var read = await store.OpenReadAsync(digest, range: null, cancellationToken);
        if (read is null)
        {
            return null;
        }

        await using (read)
        {
            var bytes = new byte[read.Length];
            await read.Stream.ReadExactlyAsync(bytes, cancellationToken);
            if (bytes.Length <= MaxEntryBytes)
            {
                _cache.Set(digest, bytes, new MemoryCacheEntryOptions { Size = Math.Max(bytes.Length, 1) });
            }

            return bytes;
        }
    }

    public void Dispose() => _cache.Dispose();
}
