using System.Diagnostics;
using Berth.Server.Diagnostics;
using Docker.Common.Digests;

namespace Berth.Server.Content;

/// <summary>
/// Times each operation of the content store it wraps as <see cref="ServerMetrics.ContentOperation"/>, by operation:
/// whichever backend stores the bytes, the figures are taken here. <see cref="LocalPath"/> (a path computed, no I/O)
/// and <see cref="ListByPrefix"/> (a sweep, timed as the orphan collection it serves) are passed through untimed.
/// </summary>
public sealed class TimedContentStore(IContentStore inner) : IContentStore
{
    public async Task<long?> SizeAsync(Digest digest, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await inner.SizeAsync(digest, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Record("size", started);
        }
    }

    public async Task<long> ImportFileAsync(Digest digest, string sourcePath, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await inner.ImportFileAsync(digest, sourcePath, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Record("import", started);
        }
    }

    public async Task<long> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await inner.PutAsync(digest, content, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Record("put", started);
        }
    }

    public Stream? OpenRead(Digest digest)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return inner.OpenRead(digest);
        }
        finally
        {
            Record("open", started);
        }
    }

    public string? LocalPath(Digest digest) => inner.LocalPath(digest);

    public async Task<long> DeleteAsync(Digest digest, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await inner.DeleteAsync(digest, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Record("delete", started);
        }
    }

    public IEnumerable<(string Prefix, IReadOnlyList<(Digest Digest, DateTimeOffset Stored)> Files)> ListByPrefix() => inner.ListByPrefix();

    private static void Record(string operation, long started) =>
        ServerMetrics.ContentOperation.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("operation", operation));
}
