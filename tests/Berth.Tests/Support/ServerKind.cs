namespace Berth.Tests.Support;

/// <summary>How a fixture's server runs: in the test process (fast, observable) or as its own process (as operators run it).</summary>
public enum ServerKind
{
    InProcess,
    Process,
}
