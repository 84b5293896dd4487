using Berth.Plugins;
using Berth.Server.Storage;
using Docker.Common.Digests;

namespace Berth.Server.PullThrough;

/// <summary>
/// The downloads from feeds under way, so that bits asked for by several readers at once (clients pulling the same layer
/// through a cache, the import that stores it) come from the feed once. A download lives while anyone reads it; a
/// finished one stays while its scope (a repository) is held, by an import that may still want it, and goes with the
/// last reader or the last hold. Nothing here outlives the process: the spool files are temporary files.
/// </summary>
public sealed class FeedDownloads(DataLayout layout, ILogger<FeedDownloads> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Scope, Digest Digest), FeedDownload> _downloads = [];
    private readonly Dictionary<string, int> _holds = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// Joins the download of <paramref name="digest"/> in <paramref name="scope"/>, or starts it with <paramref name="open"/>;
    /// answers once the feed said the length. The reader ends the download when it is the last one and nothing holds the scope.
    /// </summary>
    /// <exception cref="ContentException">As <paramref name="open"/> refused.</exception>
    public async Task<FeedContent> ReadAsync(string scope, Digest digest, Func<CancellationToken, Task<FeedContent>> open, CancellationToken cancellationToken)
    {
        FeedDownload download;
        var start = false;
        lock (_gate)
        {
            if (!_downloads.TryGetValue((scope, digest), out download!) || download.Failed)
            {
                download = new FeedDownload(scope, digest, layout.NewTemporaryPath());
                _downloads[(scope, digest)] = download;
                start = true;
            }

            download.Readers++;
        }

        if (start)
        {
            _ = Task.Run(async () =>
            {
                await download.RunAsync(open, _stopping.Token);
                Ended(download);
            }, CancellationToken.None);
        }

        try
        {
            if (!await download.Started.WaitAsync(cancellationToken))
            {
                download.ThrowIfFailed();
            }

            return new FeedContent(FeedDownloadStream.Open(download, Release), download.Length);
        }
        catch
        {
            Release(download);
            throw;
        }
    }

    /// <summary>The length of a download under way or finished and kept, if there is one.</summary>
    public long? LengthOf(string scope, Digest digest)
    {
        lock (_gate)
        {
            return _downloads.TryGetValue((scope, digest), out var download) && download.Started is { IsCompletedSuccessfully: true, Result: true } && !download.Failed ? download.Length : null;
        }
    }

    /// <summary>Keeps the scope's downloads, finished ones too, until the hold is disposed.</summary>
    public IDisposable Hold(string scope)
    {
        lock (_gate)
        {
            _holds[scope] = _holds.GetValueOrDefault(scope) + 1;
        }

        return new ScopeHold(this, scope);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void Unhold(string scope)
    {
        List<FeedDownload> idle;
        lock (_gate)
        {
            if (--_holds[scope] > 0)
            {
                return;
            }

            _holds.Remove(scope);
            idle = [.. _downloads.Values.Where(d => d.Scope == scope && d.Readers == 0)];
        }

        foreach (var download in idle)
        {
            Drop(download);
        }
    }

    private void Release(FeedDownload download)
    {
        bool idle;
        lock (_gate)
        {
            idle = --download.Readers == 0 && !_holds.ContainsKey(download.Scope);
        }

        if (idle)
        {
            Drop(download);
        }
    }

    private void Ended(FeedDownload download)
    {
        bool idle;
        lock (_gate)
        {
            var listed = _downloads.TryGetValue((download.Scope, download.Digest), out var current) && current == download;
            if (listed && download.Failed)
            {
                // The next reader starts afresh; those reading it now learn of the failure at their next read.
                _downloads.Remove((download.Scope, download.Digest));
            }

            idle = !listed || download.Failed || (download.Readers == 0 && !_holds.ContainsKey(download.Scope));
        }

        if (idle)
        {
            Delete(download);
        }
    }

    /// <summary>Ends a download nobody reads any more, and deletes its spool once it has stopped writing.</summary>
    private void Drop(FeedDownload download)
    {
        lock (_gate)
        {
            if (download.Readers > 0)
            {
                return;
            }

            if (_downloads.TryGetValue((download.Scope, download.Digest), out var current) && current == download)
            {
                _downloads.Remove((download.Scope, download.Digest));
            }

            if (!download.Ended)
            {
                // It deletes its spool when it has stopped writing.
                download.Stop();
                return;
            }
        }

        Delete(download);
    }

    private void Delete(FeedDownload download)
    {
        download.Dispose();
        try
        {
            File.Delete(download.Path);
        }
        catch (IOException e)
        {
            logger.LogWarning(e, "Could not delete the spool {Path} of a download from a feed", download.Path);
        }
    }

    private sealed class ScopeHold(FeedDownloads downloads, string scope) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                downloads.Unhold(scope);
            }
        }
    }
}
