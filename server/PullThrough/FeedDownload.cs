using Berth.Plugins;
using Docker.Common.Digests;

namespace Berth.Server.PullThrough;

/// <summary>
/// One download from a feed, written to a spool file as it arrives and read from there by everyone who asked for it,
/// each at their own pace. The bits are hashed as they arrive; the last byte is held back from readers until the whole
/// matches the digest, so that no reader ever gets all of something that does not.
/// </summary>
internal sealed class FeedDownload(string scope, Digest digest, string path) : IDisposable
{
    // Written, hashed and announced to readers a chunk at a time: an upstream's reads come in pieces of a few KiB, and
    // waking every reader for each would cost more than the bytes.
    private const int ChunkBytes = 1024 * 1024;
    private const int FewestBytesAnnounced = 256 * 1024;

    private readonly Lock _gate = new();
    // Completes false when the feed refused: a faulted task nobody awaited any more would go unobserved.
    private readonly TaskCompletionSource<bool> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written;
    private bool _verified;
    private Exception? _failure;

    public string Scope { get; } = scope;

    public Digest Digest { get; } = digest;

    public string Path { get; } = path;

    /// <summary>Completes once the feed answered: true with the bits' length known, false when it refused (see <see cref="ThrowIfFailed"/>).</summary>
    public Task<bool> Started => _started.Task;

    /// <summary>The length the feed announced; known once <see cref="Started"/> completed.</summary>
    public long Length { get; private set; }

    /// <summary>How many read it now; changed under the downloads' lock only.</summary>
    public int Readers { get; set; }

    public bool Ended { get; private set; }

    public bool Failed
    {
        get
        {
            lock (_gate)
            {
                return _failure is not null;
            }
        }
    }

    /// <summary>Throws what ended the download, as a reader should see it, if it failed.</summary>
    public void ThrowIfFailed()
    {
        _ = Snapshot(out var failure);
        if (failure is not null)
        {
            throw ForReader(failure);
        }
    }

    /// <summary>A refusal as the feed's importer made it, so that a reader reports it as such; anything else as the broken read it is.</summary>
    public Exception ForReader(Exception failure) => failure is ContentException refused
        ? new ContentException(refused.Error, refused.Message, refused.Details)
        : new IOException($"the download of {Digest} from the feed failed: {failure.Message}", failure);

    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It ended meanwhile.
        }
    }

    /// <summary>Once it has ended: nothing stops it any more.</summary>
    public void Dispose() => _stop.Dispose();

    /// <summary>Fetches the bits into the spool file until they all arrived and match, or something failed.</summary>
    public async Task RunAsync(Func<CancellationToken, Task<FeedContent>> open, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _stop.Token);
        var token = linked.Token;
        try
        {
            await using var file = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            await using var feed = await open(token);
            Length = feed.Length;
            _started.TrySetResult(true);
            using var hash = Digest.Algorithm.CreateHash();
            var buffer = new byte[ChunkBytes];
            long total = 0;
            int read;
            while ((read = await FillAsync(feed.Content, buffer, token)) > 0)
            {
                if ((total += read) > Length)
                {
                    throw new ContentException(ContentError.DigestMismatch, $"the feed sent more of {Digest} than the {Length} bytes it announced");
                }

                await file.WriteAsync(buffer.AsMemory(0, read), token);
                hash.AppendData(buffer, 0, read);
                Publish(total, verified: false);
            }

            if (total != Length)
            {
                throw new ContentException(ContentError.DigestMismatch, $"the feed sent {total} bytes of {Digest}, not the {Length} it announced");
            }

            var actual = Digest.FromHash(Digest.Algorithm, hash.GetHashAndReset());
            if (actual != Digest)
            {
                throw new ContentException(
                    ContentError.DigestMismatch,
                    $"the feed sent bytes for {Digest} that hash to {actual}",
                    new System.Text.Json.Nodes.JsonObject { ["expected"] = Digest.ToString(), ["actual"] = actual.ToString() });
            }

            Publish(total, verified: true);
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            lock (_gate)
            {
                Ended = true;
            }
        }
    }

    /// <summary>Reads until a chunk worth announcing has arrived, or the bits end.</summary>
    private static async Task<int> FillAsync(Stream source, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        int read;
        while (filled < FewestBytesAnnounced && (read = await source.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        return filled;
    }

    /// <summary>How far a reader may read now, and what to wait on when it has read that far.</summary>
    public (long Readable, bool Complete, Task Changed) Snapshot(out Exception? failure)
    {
        lock (_gate)
        {
            failure = _failure;
            return (_verified ? _written : Math.Max(0, Math.Min(_written, Length - 1)), _verified, _changed.Task);
        }
    }

    private void Publish(long written, bool verified)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _written = written;
            _verified = verified;
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private void Fail(Exception e)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _failure = e;
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _started.TrySetResult(false);
        changed.TrySetResult();
    }
}
