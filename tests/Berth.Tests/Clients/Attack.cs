using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace Berth.Tests.Clients;

/// <summary>
/// Many <see cref="SlowClient"/>s at once, each reconnecting as soon as it is turned away, until stopped; what
/// came of every connection is kept.
/// </summary>
public sealed class Attack : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string Kind, SlowClient.Outcome Outcome)> _outcomes = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients = [];

    private Attack()
    {
    }

    /// <summary>One client: what it is called in the results, the address it comes from, its head and what it trickles.</summary>
    public sealed record Slot(string Kind, IPAddress From, string Head, byte[] Trickle);

    public IReadOnlyList<(string Kind, SlowClient.Outcome Outcome)> Outcomes => [.. _outcomes];

    public static Attack Start(IPEndPoint target, IEnumerable<Slot> slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        var attack = new Attack();
        foreach (var slot in slots)
        {
            attack._clients.Add(attack.RunAsync(target, slot));
        }

        return attack;
    }

    public int Count(Func<SlowClient.Outcome, bool> which) => _outcomes.Count(o => which(o.Outcome));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients).WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    /// <summary>
    /// The most connections the server held at once, of those it kept longer than <paramref name="longerThan"/>
    /// (a connection refused at the door is closed within milliseconds).
    /// </summary>
    public static int MostHeldAtOnce(IEnumerable<SlowClient.Outcome> outcomes, TimeSpan longerThan)
    {
        var events = outcomes
            .Where(o => o.Duration > longerThan)
            .SelectMany(o => new[] { (At: o.Started, Change: 1), (At: o.Ended, Change: -1) })
            .OrderBy(e => e.At)
            .ThenBy(e => e.Change);
        int held = 0, most = 0;
        foreach (var (_, change) in events)
        {
            held += change;
            most = Math.Max(most, held);
        }

        return most;
    }

    /// <summary>Counts by kind and outcome, with the longest hold of each: for the test's output.</summary>
    public string Describe() =>
        string.Join("; ", Outcomes.GroupBy(o => o.Kind).Select(kind => $"{kind.Key}: " + string.Join(", ", kind
            .GroupBy(o => o.Outcome.Held == Held.Answered ? o.Outcome.Status.ToString(CultureInfo.InvariantCulture) : o.Outcome.Held.ToString())
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} {g.Key} (longest {g.Max(o => o.Outcome.Duration).TotalSeconds:0.0} s)"))));

    private async Task RunAsync(IPEndPoint target, Slot slot)
    {
        while (!_stop.IsCancellationRequested)
        {
            var outcome = await SlowClient.HoldAsync(target, slot.From, slot.Head, slot.Trickle, pieceSize: 10, TimeSpan.FromMilliseconds(200), _stop.Token);
            _outcomes.Enqueue((slot.Kind, outcome));

            // Pacing, so that two cores can serve the others too: a real attacker would have more of them.
            await Task.Delay(250, CancellationToken.None);
        }
    }
}
