using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Berth.Tests.Clients;

/// <summary>What a connection held by a <see cref="SlowClient"/> came to.</summary>
public enum Held
{
    /// <summary>Closed or reset by the server without a word: refused at the door.</summary>
    Refused,

    /// <summary>Answered with a status (see <see cref="SlowClient.Outcome.Status"/>).</summary>
    Answered,

    /// <summary>Still open, unanswered, when the client gave up.</summary>
    StillOpen,
}

/// <summary>
/// A client as the penetration test's attackers were: it connects from a chosen local address, sends a request
/// head, then trickles the rest (a body it declared, or more header lines) a few bytes at a time, for as long as
/// the server keeps the connection open.
/// </summary>
public static class SlowClient
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    /// <summary>What came of a connection, when it started (since <see cref="Epoch"/>) and how long it was held.</summary>
    public sealed record Outcome(Held Held, int Status, TimeSpan Started, TimeSpan Duration)
    {
        public TimeSpan Ended => Started + Duration;
    }

    /// <summary>Where <see cref="Outcome.Started"/> counts from.</summary>
    public static Stopwatch Epoch { get; } = Stopwatch.StartNew();

    /// <summary>
    /// Holds one connection: <paramref name="head"/> (the request line and headers, ending with the blank line when
    /// a body follows), then <paramref name="trickle"/> in pieces of <paramref name="pieceSize"/> bytes every
    /// <paramref name="pause"/>, until the server answers or closes, the trickle ends, or <paramref name="stop"/> is cancelled.
    /// </summary>
    public static async Task<Outcome> HoldAsync(
        IPEndPoint server, IPAddress from, string head, byte[] trickle, int pieceSize, TimeSpan pause, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(trickle);
        var startedAt = Epoch.Elapsed;
        var started = Stopwatch.StartNew();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(from, 0));
        try
        {
            await socket.ConnectAsync(server, stop);
        }
        catch (SocketException)
        {
            return new Outcome(Held.Refused, 0, startedAt, started.Elapsed);
        }
        catch (OperationCanceledException)
        {
            return new Outcome(Held.StillOpen, 0, startedAt, started.Elapsed);
        }

        using var answered = new CancellationTokenSource(AnswerTimeout);
        var reading = ReadUntilClosedAsync(socket, answered.Token);
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(head), stop);
            for (var offset = 0; offset < trickle.Length && !reading.IsCompleted && !stop.IsCancellationRequested; offset += pieceSize)
            {
                await Task.WhenAny(reading, Task.Delay(pause, stop));
                if (!reading.IsCompleted && !stop.IsCancellationRequested)
                {
                    await socket.SendAsync(trickle.AsMemory(offset, Math.Min(pieceSize, trickle.Length - offset)), stop);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The server closed on us (its answer, if any, is still to be read), or we were told to stop.
        }

        if (!reading.IsCompleted && stop.IsCancellationRequested)
        {
            socket.Close();
            await reading;
            return new Outcome(Held.StillOpen, 0, startedAt, started.Elapsed);
        }

        var bytes = await reading;
        return bytes.Length == 0 ? new Outcome(Held.Refused, 0, startedAt, started.Elapsed) : new Outcome(Held.Answered, StatusOf(bytes), startedAt, started.Elapsed);
    }

    private static async Task<byte[]> ReadUntilClosedAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Reset after (or instead of) an answer, closed by us, or no answer in time: what came is what there is.
        }

        return received.ToArray();
    }

    private static int StatusOf(byte[] response)
    {
        var line = Encoding.ASCII.GetString(response, 0, Math.Min(response.Length, 64));
        var parts = line.Split(' ', 3);
        return parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : -1;
    }
}
