using System.Globalization;
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
}

/// <summary>A response read off the wire: status, headers (names lower-cased, repeated ones joined) and body.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>What a connection closed without a word reads as: status 0.</summary>
    public static RawResponse NoAnswer { get; } = new(0, new Dictionary<string, string>(), []);

    public string Text => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.GetValueOrDefault(name.ToLowerInvariant());

    public static RawResponse Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
        {
            return NoAnswer;
        }

        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new InvalidDataException($"no complete response: {Encoding.Latin1.GetString(bytes)}");
        }

        var lines = Encoding.Latin1.GetString(bytes, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + "," + value : value;
        }

        var body = bytes[(end + 4)..];
        if (headers.GetValueOrDefault("transfer-encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
        {
            body = Dechunk(body);
        }
        else if (headers.TryGetValue("content-length", out var length))
        {
            body = body[..int.Parse(length, CultureInfo.InvariantCulture)];
        }

        return new RawResponse(status, headers, body);
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        using var body = new MemoryStream();
        var position = 0;
        while (true)
        {
            var lineEnd = chunked.AsSpan(position).IndexOf("\r\n"u8) + position;
            var sizeText = Encoding.Latin1.GetString(chunked, position, lineEnd - position).Split(';')[0];
            var size = int.Parse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return body.ToArray();
            }

            body.Write(chunked, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }
}
