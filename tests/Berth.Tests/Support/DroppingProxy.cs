using System.Net;
using System.Net.Sockets;

namespace Berth.Tests.Support;

/// <summary>
/// A loopback TCP proxy in front of a server that breaks one connection: the first to carry more than a given
/// number of bytes towards the server is cut in the middle of what it sends, as a network failure would.
/// </summary>
public sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly long _dropAfter;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _dropped;

    public DroppingProxy(Uri target, long dropAfter)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _dropAfter = dropAfter;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Whether a connection has been cut.</summary>
    public bool Dropped => Volatile.Read(ref _dropped) == 1;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using (client)
        using (var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            try
            {
                await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                var upstream = CopyAsync(client, server, cut: true);
                var downstream = CopyAsync(server, client, cut: false);
                await Task.WhenAny(upstream, downstream);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
            }
        }
    }

    private async Task CopyAsync(Socket from, Socket to, bool cut)
    {
        var buffer = new byte[16 * 1024];
        long sent = 0;
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, _stop.Token);
            if (read == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            sent += read;
            if (cut && sent > _dropAfter && Interlocked.CompareExchange(ref _dropped, 1, 0) == 0)
            {
                // A reset on both sides: the client sees its request fail, the server an aborted body.
                from.LingerState = new LingerOption(true, 0);
                to.LingerState = new LingerOption(true, 0);
                from.Close();
                to.Close();
                return;
            }

            await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }
}
