namespace Berth.Server.Uploads;

/// <summary>Exclusive use of an upload for one import; disposing it lets segment writes in again.</summary>
public sealed class UploadLease : IAsyncDisposable
{
    private readonly Func<ValueTask> _release;
    private bool _released;

    internal UploadLease(UploadRequest upload, UploadedFile file, UploadSession session, Func<ValueTask> release)
    {
        Upload = upload;
        File = file;
        Session = session;
        _release = release;
    }

    public UploadId Id => Upload.Id;

    internal UploadRequest Upload { get; }

    internal UploadedFile File { get; }

    internal UploadSession Session { get; }

    public async ValueTask DisposeAsync()
    {
        if (!_released)
        {
            _released = true;
            await _release();
        }
    }
}
