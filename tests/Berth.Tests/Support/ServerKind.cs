namespace Berth.Tests.Support;

/// <summary>
/// How a fixture's server runs: in the test process (fast, observable), as its own process (as operators run it), or as
/// two processes sharing PostgreSQL and a bucket behind a load balancer (as operators run replicas).
/// </summary>
public enum ServerKind
{
    InProcess,
    Process,
    Replicas,
}
