using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>
/// One server per test fixture, over a data folder of its own: in process by default, or as its own process for
/// fixtures run both ways. Tests share it, so each works in repositories of its own (<see cref="NewRepositoryId"/>).
/// </summary>
public abstract class ApiFixture(ServerKind kind = ServerKind.InProcess, StorageBackend backend = StorageBackend.Default)
{
    private int _repositories;
    private IReadOnlyDictionary<string, string>? _settings;
    private TestStorage? _storage;

    private readonly (ServerKind Kind, StorageBackend Backend) _deployment = TestDeployment.Resolve(kind, backend);

    /// <summary>How the server runs: as the fixture names it, or as replicas in the longer run (<see cref="TestDeployment"/>).</summary>
    protected ServerKind Kind => _deployment.Kind;

    /// <summary>The PostgreSQL database the server runs on, when it runs on one.</summary>
    protected string? MetadataConnectionString => _storage?.ConnectionString;

    /// <summary>The stores the server runs on: the ones the fixture names, else the run's (<c>BERTH_TEST_STORAGE</c>).</summary>
    protected StorageBackend Backend => _deployment.Backend;

    protected TempFolder Folder { get; private set; } = null!;

    protected BerthHost Host { get; private set; } = null!;

    protected ContentApiClient Api { get; private set; } = null!;

    /// <summary>A plugin folder to load instead of the default one, or null for the default.</summary>
    protected virtual string? PluginsConfDir(TempFolder folder) => null;

    /// <summary>Configuration keys this fixture's server runs with.</summary>
    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    /// <summary>
    /// Why the fixture's tests need one server, or null: what they test is each server's own (a throttle kept in memory,
    /// a data folder). In the longer run such a fixture is skipped, saying why, instead of running as replicas.
    /// </summary>
    protected virtual string? OneServerOnly => null;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        if (kind != ServerKind.Replicas && Kind == ServerKind.Replicas && OneServerOnly is { } reason)
        {
            Assert.Ignore($"not run as the longer run's replicas: {reason}");
        }

        Folder = new TempFolder();
        Assert.That(
            Kind != ServerKind.Replicas || Backend is StorageBackend.PostgreSqlS3 or StorageBackend.PostgreSqlS3Streamed,
            Is.True,
            "replicas share PostgreSQL and a bucket: name a PostgreSqlS3 backend");
        _storage = await TestStorage.CreateAsync(Backend);
        _settings = _storage.Settings.Count == 0 ? Settings : (Settings ?? new Dictionary<string, string>()).Concat(_storage.Settings).ToDictionary();

        Host = await BerthHost.StartAsync(Kind, Folder, PluginsConfDir(Folder), _settings);
        Api = new ContentApiClient(Host.CreateClient());
    }

    /// <summary>Any test during which the server logged an error (a 500, a crashed background task) fails.</summary>
    [TearDown]
    public async Task NoServerErrors()
    {
        Assert.That(await Host.DrainErrorsAsync(), Is.Empty, "the server logged errors");
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        Api?.Http.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        Folder?.Dispose();
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }
    }

    /// <summary>Stops the server, runs <paramref name="whileStopped"/> on its data folder, and starts it again on it.</summary>
    protected async Task RestartAsync(Action<string> whileStopped)
    {
        ArgumentNullException.ThrowIfNull(whileStopped);
        var dataDir = Host.DataDir;
        Api.Http.Dispose();
        await Host.DisposeAsync();
        whileStopped(dataDir);
        Host = await BerthHost.StartAsync(Kind, Folder, PluginsConfDir(Folder), _settings);
        Api = new ContentApiClient(Host.CreateClient());
    }

    protected string NewRepositoryId() =>
        $"{GetType().Name}-{TestContext.CurrentContext.Test.MethodName}-{Interlocked.Increment(ref _repositories)}".ToLowerInvariant();

    /// <summary>A repository of this test's own, with both docker importers; its id is also its registry name.</summary>
    protected async Task<string> DockerRepositoryAsync()
    {
        var id = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(id);
        return id;
    }

    /// <summary>The bytes stored under a digest, from whichever content store the server runs on; null when there are none.</summary>
    protected Task<byte[]?> StoredContentAsync(string digest) => _storage!.ReadContentAsync(Host.DataDir, digest);

    protected async Task<bool> IsStoredAsync(string digest) => await StoredContentAsync(digest) is not null;

    /// <summary>Puts content under a digest behind the server's back (what a crash between content and its unit leaves).</summary>
    protected Task PutStoredContentAsync(string digest, byte[] bytes) => _storage!.WriteContentAsync(Host.DataDir, digest, bytes);

    protected Task DeleteStoredContentAsync(string digest) => _storage!.DeleteContentAsync(Host.DataDir, digest);

    /// <inheritdoc cref="TestStorage.WriteStrayAsync"/>
    protected Task<string> PutStrayContentAsync(string name) => _storage!.WriteStrayAsync(Host.DataDir, name);

    protected Task DeleteStrayContentAsync(string stored) => _storage!.DeleteStrayAsync(Host.DataDir, stored);

    /// <summary>Whether uploads live in the bucket, shared by every server (content in S3), rather than in the server's data folder.</summary>
    protected bool UploadsShared => _storage!.Gateway is not null;

    /// <summary>The keys of an upload's parts in the bucket (none when content is in the data folder).</summary>
    protected async Task<IReadOnlyList<string>> StoredUploadPartsAsync(string uploadId) =>
        _storage!.Gateway is { } gateway ? await gateway.ListKeysAsync(_storage.Bucket!, $"uploads/{uploadId}/") : [];
}
