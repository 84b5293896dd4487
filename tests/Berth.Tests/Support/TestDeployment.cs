namespace Berth.Tests.Support;

/// <summary>
/// How a fixture's server runs: as the fixture names it, or, in the longer run (<c>BERTH_TEST_REPLICAS=1</c>, see the
/// README's "Set-up"), as two replicas on PostgreSQL and radosgw behind HAProxy for every fixture that runs on the run's
/// stores. Fixtures that name their stores (a test of the embedded store, say) keep them.
/// </summary>
public static class TestDeployment
{
    public const string Variable = "BERTH_TEST_REPLICAS";

    public static (ServerKind Kind, StorageBackend Backend) Resolve(ServerKind kind, StorageBackend backend)
    {
        if (backend == StorageBackend.Default && kind != ServerKind.Replicas && AsReplicas())
        {
            var run = TestStorage.Resolve(backend);
            return (ServerKind.Replicas, run is StorageBackend.PostgreSqlS3 ? run : StorageBackend.PostgreSqlS3Streamed);
        }

        return (kind, TestStorage.Resolve(backend));
    }

    private static bool AsReplicas() => Environment.GetEnvironmentVariable(Variable) switch
    {
        null or "" or "0" => false,
        "1" => true,

        // A misspelt value would quietly run the usual suite, which is not what was asked.
        var other => throw new InvalidOperationException($"{Variable}={other}: use 1 to run every fixture's server as replicas, or 0"),
    };
}
