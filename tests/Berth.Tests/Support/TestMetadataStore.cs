namespace Berth.Tests.Support;

/// <summary>
/// The metadata store of one test server: nothing to make for the embedded store, a database of its own in the run's
/// PostgreSQL cluster for <see cref="MetadataBackend.PostgreSql"/>, dropped when disposed.
/// </summary>
public sealed class TestMetadataStore : IAsyncDisposable
{
    private TestMetadataStore(MetadataBackend backend, string? connectionString) => (Backend, ConnectionString) = (backend, connectionString);

    public MetadataBackend Backend { get; }

    /// <summary>The PostgreSQL database's connection string; null for the embedded store.</summary>
    public string? ConnectionString { get; }

    /// <summary>The server settings that choose this store.</summary>
    public IReadOnlyDictionary<string, string> Settings => ConnectionString is null
        ? new Dictionary<string, string>()
        : new Dictionary<string, string> { ["Berth:Metadata:Provider"] = "PostgreSql", ["Berth:Metadata:ConnectionString"] = ConnectionString };

    /// <summary>The same settings as server arguments.</summary>
    public IEnumerable<string> Arguments => Settings.Select(s => $"--{s.Key}={s.Value}");

    /// <summary>The backend a fixture names; for <see cref="MetadataBackend.Default"/>, the run's (<c>BERTH_TEST_METADATA</c>), else the embedded store.</summary>
    public static MetadataBackend Resolve(MetadataBackend backend) =>
        backend != MetadataBackend.Default
            ? backend
            : Enum.TryParse<MetadataBackend>(Environment.GetEnvironmentVariable("BERTH_TEST_METADATA"), ignoreCase: true, out var chosen) && chosen != MetadataBackend.Default
                ? chosen
                : MetadataBackend.LiteDb;

    public static async Task<TestMetadataStore> CreateAsync(MetadataBackend backend) =>
        new(backend, backend == MetadataBackend.PostgreSql ? await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync() : null);

    public async ValueTask DisposeAsync()
    {
        if (ConnectionString is not null)
        {
            await (await PostgreSqlCluster.SharedAsync()).DropDatabaseAsync(ConnectionString);
        }
    }
}
