using System.Globalization;
using System.Xml;
using Berth.Server.Errors;

namespace Berth.Server.Sync;

/// <summary>
/// A sync schedule as Pulp 2 writes it, an ISO 8601 repeating interval without a count: <c>PT1H</c> (every hour from
/// now), <c>2026-12-03T02:00:00Z/P1D</c> (every day from then), with an optional leading <c>R/</c>.
/// </summary>
public static class SyncScheduleSpec
{
    /// <summary>The shortest interval: a sync at most every minute.</summary>
    public static readonly TimeSpan Shortest = TimeSpan.FromMinutes(1);

    /// <exception cref="ApiException">400, saying what is wrong and how to write it.</exception>
    public static (DateTimeOffset First, TimeSpan Interval) Parse(string schedule, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var parts = schedule.Split('/');
        if (parts[0].StartsWith('R'))
        {
            if (parts[0] != "R")
            {
                throw Invalid(schedule, "a count of runs (R5/...) is not supported; write R/ or nothing for runs without end");
            }

            parts = parts[1..];
        }

        if (parts.Length is 0 or > 2)
        {
            throw Invalid(schedule, "write a duration (PT1H) or a start and a duration (2026-12-03T02:00:00Z/P1D)");
        }

        TimeSpan interval;
        try
        {
            interval = XmlConvert.ToTimeSpan(parts[^1]);
        }
        catch (FormatException)
        {
            throw Invalid(schedule, $"'{parts[^1]}' is not an ISO 8601 duration such as PT30M, PT6H or P1D");
        }

        if (interval < Shortest)
        {
            throw Invalid(schedule, $"the interval must be at least {Shortest.TotalMinutes:0} minute");
        }

        var first = now + interval;
        if (parts.Length == 2 && !DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out first))
        {
            throw Invalid(schedule, $"'{parts[0]}' is not an ISO 8601 time such as 2026-12-03T02:00:00Z");
        }

        // Whole seconds, as every store keeps them.
        return (new DateTimeOffset(first.UtcTicks - (first.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero), interval);
    }

    private static ApiException Invalid(string schedule, string why) =>
        ApiException.Invalid($"schedule '{schedule}': {why}", new System.Text.Json.Nodes.JsonObject { ["schedule"] = schedule });
}
