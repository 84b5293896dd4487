using NUnit.Framework;

namespace Berth.Tests;

/// <summary>
/// What the test run started for all its tests (a PostgreSQL cluster, a Ceph gateway), stopped once every test has
/// run: this fixture stands in the root namespace, so NUnit runs its tear-down after every fixture below it.
/// </summary>
[SetUpFixture]
public sealed class TestRunEnd
{
    private static readonly List<Action> Stops = [];

    public static void Register(Action stop)
    {
        lock (Stops)
        {
            Stops.Add(stop);
        }
    }

    [OneTimeTearDown]
    public void StopEverything()
    {
        List<Action> stops;
        lock (Stops)
        {
            stops = [.. Stops];
            Stops.Clear();
        }

        stops.ForEach(stop => stop());
    }
}
