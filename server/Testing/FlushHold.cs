namespace Berth.Server.Testing;

/// <summary>
/// TEST ONLY (see <see cref="Configuration.TestingOptions.HoldableFlushes"/>): while held, the metadata store's next
/// flush waits before it begins.
/// </summary>
public sealed class FlushHold : IDisposable
{
    private readonly ManualResetEventSlim _open = new(initialState: true);

    public bool IsHeld => !_open.IsSet;

    public void Hold() => _open.Reset();

    public void Release() => _open.Set();

    /// <summary>Called by the flusher, off any request's thread, before each flush.</summary>
    public void WaitWhileHeld() => _open.Wait();

    public void Dispose() => _open.Dispose();
}
