using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Berth.Tests.Support;

/// <summary>
/// The server's test-only manual clock (<c>Berth:Testing:ManualClock</c>): a fixture whose server runs with it moves
/// the server's time itself, instead of waiting on the wall clock for a timestamp to differ, an expiry or a grace
/// period to pass, or a schedule to fire. It works the same in process and against the server process.
/// </summary>
public static class ServerClock
{
    /// <summary>The setting that gives a server the manual clock.</summary>
    public static KeyValuePair<string, string> Manual { get; } = new("Berth:Testing:ManualClock", "true");

    /// <summary>
    /// Moves the server's clock forward and returns its time after the move. Timers that fall due (schedules) have
    /// fired when this returns, though the work they start may still be running: wait for its effect with a bound.
    /// </summary>
    /// <remarks>
    /// Replicas' clocks started at their own starts: they are first brought to the latest of them (each moved by a
    /// millisecond to read it, as the clock only moves forward), so that they all show the time returned.
    /// </remarks>
    public static async Task<DateTimeOffset> AdvanceClockAsync(this BerthHost host, TimeSpan by)
    {
        ArgumentNullException.ThrowIfNull(host);
        var servers = host.CreateClientsOfEachServer();
        try
        {
            if (servers.Count == 1)
            {
                return await AdvanceAsync(servers[0], by);
            }

            var read = TimeSpan.FromMilliseconds(1);
            var nows = new List<DateTimeOffset>();
            foreach (var server in servers)
            {
                nows.Add(await AdvanceAsync(server, read));
            }

            var target = nows.Max() + by - read;
            for (var i = 0; i < servers.Count; i++)
            {
                await AdvanceAsync(servers[i], target - nows[i]);
            }

            return target;
        }
        finally
        {
            foreach (var server in servers)
            {
                server.Dispose();
            }
        }
    }

    /// <inheritdoc cref="AdvanceClockAsync(BerthHost, TimeSpan)"/>
    /// <param name="api">A client of the server, signed in as an administrator.</param>
    /// <param name="by">How far to move the clock.</param>
    public static async Task<DateTimeOffset> AdvanceAsync(HttpClient api, TimeSpan by)
    {
        ArgumentNullException.ThrowIfNull(api);
        var body = new JsonObject { ["advance_seconds"] = by.TotalSeconds };
        using var response = await new ContentApiClient(api).PostJsonAsync("/testing/clock/", body);
        var now = await ContentApiClient.ReadAsync(response, HttpStatusCode.OK);
        return DateTimeOffset.Parse(now["now"]!.GetValue<string>(), CultureInfo.InvariantCulture);
    }
}
