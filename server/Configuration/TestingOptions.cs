namespace Berth.Server.Configuration;

/// <summary>
/// Settings that exist for Berth's own tests (section <c>Berth:Testing</c>), every one off by default. Never set them
/// on a server that serves anyone: they let an administrator change how the server behaves for everyone.
/// </summary>
public sealed class TestingOptions
{
    public const string Section = "Testing";

    /// <summary>
    /// TEST ONLY. When true, the server's clock stands still from the moment it starts and moves only when an
    /// administrator moves it (<c>POST /pulp/api/v2/testing/clock/</c>, which exists only then): timestamps,
    /// expiries, grace periods and schedules follow it, so that tests order events and fire schedules without
    /// waiting on the wall clock. Anything that waits on the clock (a schedule, the orphan collector's pause between
    /// batches) waits until it is moved.
    /// </summary>
    public bool ManualClock { get; set; }

    /// <summary>
    /// TEST ONLY. When true, an administrator can hold the metadata store's flushes (<c>POST /pulp/api/v2/testing/flushes/</c>
    /// <c>{"held": true}</c>, which exists only then) and let them go again: writes commit meanwhile, but none is answered
    /// until a flush covers it, so tests see that nothing is acknowledged before it is durable.
    /// </summary>
    public bool HoldableFlushes { get; set; }
}
