using Berth.Server.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Server.Testing;

/// <summary>
/// The server's clock: the system's, or, only when <see cref="TestingOptions.ManualClock"/> is set, one that stands
/// still until an administrator moves it (see <see cref="ManualClockEndpoints"/>). Every part of the server takes
/// its time, its timers and its delays from the one <see cref="TimeProvider"/> registered, so the manual clock
/// reaches schedules too.
/// </summary>
public static partial class ManualClock
{
    public static TimeProvider Choose(TestingOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.ManualClock)
        {
            return TimeProvider.System;
        }

        LogManualClock(logger);

        // Started at the real time, not at the fake clock's default of 2000: what the server compares with its time
        // (upload and content files' modification times, the expiries clients send) is written by the real one.
        return new FakeTimeProvider(TimeProvider.System.GetUtcNow());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Berth:Testing:ManualClock is set: the server's clock stands still and moves only when an administrator moves it. This is for Berth's own tests; never set it on a server that serves anyone")]
    private static partial void LogManualClock(ILogger logger);
}
