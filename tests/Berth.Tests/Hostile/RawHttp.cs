using System.Net.Sockets;
using System.Text;

namespace Berth.Tests.Hostile;

/// <summary>
/// HTTP/1.1 spoken by hand over a socket, one request per connection: HttpClient refuses to send what a hostile
/// client sends (a Content-Length that lies, broken chunk framing, unnormalised paths), so these tests write the
/// bytes themselves.
/// </summary>
public static class RawHttp
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Sends the head (request line and headers, without the blank line) and body, optionally closing the sending
    /// side afterwards (so that a body shorter than announced ends), and reads the response until the server closes.
    /// Between body pieces of <paramref name="trickle"/> bytes it waits <paramref name="pause"/>, as a slow client.
    /// </summary>
    public static async Task<RawResponse> SendAsync(Uri server, string head, byte[] body, bool halfClose = false, int trickle = 0, TimeSpan pause = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(body);
        using var timeout = new CancellationTokenSource(Timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.Host, server.Port, timeout.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head + "\r\n\r\n"), timeout.Token);
            if (trickle > 0)
            {
                for (var offset = 0; offset < body.Length; offset += trickle)
                {
                    await stream.WriteAsync(body.AsMemory(offset, Math.Min(trickle, body.Length - offset)), timeout.Token);
                    await Task.Delay(pause, timeout.Token);
                }
            }
            else
            {
                await stream.WriteAsync(body, timeout.Token);
            }

            if (halfClose)
            {
                socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (IOException)
        {
            // The server may answer and close before taking the whole body (a refusal, a slow client cut off):
            // what it answered is still there to read.
        }

        using var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException)
        {
            // A reset: after the response, when the server closed with our unread body in its buffer; or instead
            // of one, when it dropped the connection (read as no answer).
        }

        return RawResponse.Parse(received.ToArray());
    }

    /// <summary>
    /// Sends the head and the first part of a body, lets the server start reading it, then resets the connection
    /// as a client that crashes or loses its network does: no answer is expected.
    /// </summary>
    public static async Task ResetMidBodyAsync(Uri server, string head, byte[] part, TimeSpan pause)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(part);
        using var timeout = new CancellationTokenSource(Timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.Host, server.Port, timeout.Token);
        await socket.SendAsync(Encoding.Latin1.GetBytes(head + "\r\n\r\n"), timeout.Token);
        await socket.SendAsync(part, timeout.Token);
        await Task.Delay(pause, timeout.Token);

        // A zero linger time makes closing send a reset instead of an orderly end.
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }
}
