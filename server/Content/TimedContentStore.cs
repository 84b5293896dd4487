using System.Diagnostics;
using Berth.Server.Diagnostics;
using Docker.Common.Digests;

namespace Berth.Server.Content;

/// <summary>
/// Times each operation of the content store it wraps as <see cref="ServerMetrics.ContentOperation"/>, by operation:
/// whichever backend stores the bytes, the figures are taken here. <see cref="DirectUrl"/> (computed, no I/O), <see cref="ListAsync"/>
/// (a sweep, timed as the orphan collection or verification it serves) and <see cref="ProbeAsync"/> are passed through untimed.
/// </summary>
public sealed class TimedContentStore(IContentStore inner) : IContentStore
{
    public Task<long?> SizeAsync(Digest digest, CancellationToken cancellationToken) =>
        TimedAsync("size", () => inner.SizeAsync(digest, cancellationToken));

    public Task<long> ImportFileAsync(Digest digest, string sourcePath, CancellationToken cancellationToken) =>
        TimedAsync("import", () => inner.ImportFileAsync(digest, sourcePath, cancellationToken));

    public Task<long> CopyFileAsync(Digest digest, string sourcePath, CancellationToken cancellationToken) =>
        TimedAsync("copy", () => inner.CopyFileAsync(digest, sourcePath, cancellationToken));

    public Task<long> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        TimedAsync("put", () => inner.PutAsync(digest, content, cancellationToken));

    public Task<ContentRead?> OpenReadAsync(Digest digest, ByteRange? range, CancellationToken cancellationToken) =>
        TimedAsync("open", () => inner.OpenReadAsync(digest, range, cancellationToken));

    public Uri? DirectUrl(Digest digest) => inner.DirectUrl(digest);

    public Task<long> DeleteAsync(Digest digest, CancellationToken cancellationToken) =>
        TimedAsync("delete", () => inner.DeleteAsync(digest, cancellationToken));

    public IAsyncEnumerable<IReadOnlyList<ContentEntry>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task<ContentStoreProbe> ProbeAsync(CancellationToken cancellationToken) => inner.ProbeAsync(cancellationToken);

    private static async Task<T> TimedAsync<T>(string operation, Func<Task<T>> run)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await run().ConfigureAwait(false);
        }
        finally
        {
            Record(operation, started);
        }
    }

    private static void Record(string operation, long started) =>
        ServerMetrics.ContentOperation.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("operation", operation));
}
