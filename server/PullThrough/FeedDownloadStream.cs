using Berth.Server.Content;

namespace Berth.Server.PullThrough;

/// <summary>One reader of a <see cref="FeedDownload"/>: reads its spool file as far as it has arrived, and waits for more.</summary>
internal sealed class FeedDownloadStream : ReadOnlyStream
{
    private readonly FeedDownload _download;
    private readonly Action<FeedDownload> _release;
    private readonly FileStream _file;
    private long _position;
    private bool _released;

    private FeedDownloadStream(FeedDownload download, Action<FeedDownload> release, FileStream file)
    {
        _download = download;
        _release = release;
        _file = file;
    }

    /// <summary>A reader from the start; a download that failed (and whose spool went with it) throws its failure.</summary>
    public static FeedDownloadStream Open(FeedDownload download, Action<FeedDownload> release)
    {
        download.ThrowIfFailed();
        try
        {
            return new(download, release, new FileStream(download.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous));
        }
        catch (FileNotFoundException)
        {
            download.ThrowIfFailed();
            throw;
        }
    }

    public override long Length => _download.Length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var (readable, complete, changed) = _download.Snapshot(out var failure);
            if (failure is not null)
            {
                throw _download.ForReader(failure);
            }

            if (_position < readable)
            {
                var read = await _file.ReadAsync(buffer[..(int)Math.Min(buffer.Length, readable - _position)], cancellationToken);
                _position += read;
                return read;
            }

            if (complete)
            {
                return 0;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            _released = true;
            _file.Dispose();
            _release(_download);
        }

        base.Dispose(disposing);
    }
}
