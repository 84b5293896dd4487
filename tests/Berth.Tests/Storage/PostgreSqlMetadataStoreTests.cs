using Berth.Server.Storage;
using Berth.Server.Storage.PostgreSql;
using Berth.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;

namespace Berth.Tests.Storage;

/// <summary>The metadata store contract on PostgreSQL: a database of its own per test, in the run's throwaway cluster.</summary>
[TestFixture]
public sealed class PostgreSqlMetadataStoreTests : MetadataStoreContract
{
    private PostgreSqlCluster _cluster = null!;
    private string _connectionString = null!;
    private PostgreSqlDatabase _database = null!;

    [SetUp]
    public async Task OpenFreshStores()
    {
        _cluster = await PostgreSqlCluster.SharedAsync();
        _connectionString = await _cluster.CreateDatabaseAsync();
        await OpenAsync();
    }

    protected override async Task ReopenAsync()
    {
        await _database.DisposeAsync();
        await OpenAsync();
    }

    [TearDown]
    public async Task CloseStores()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
            await _cluster.DropDatabaseAsync(_connectionString);
        }
    }

    private async Task OpenAsync()
    {
        _database = new PostgreSqlDatabase(_connectionString, NullLogger<PostgreSqlDatabase>.Instance);
        await _database.OpenAsync(CancellationToken.None);
        Repositories = new PostgreSqlRepositoryStore(_database, Clock);
        Importers = new PostgreSqlImporterRegistrationStore(_database);
        Units = new PostgreSqlUnitStore(_database, Clock);
        UserMetadata = new PostgreSqlUnitUserMetadataStore(_database);
        Tasks = new PostgreSqlTaskStore(_database);
        SyncSchedules = new PostgreSqlSyncScheduleStore(_database);
        Uploads = new PostgreSqlUploadRequestStore(_database);
        TagHistory = new PostgreSqlTagHistoryStore(_database);
        Work = new PostgreSqlUnitOfWorkStore(_database, Clock);
        Events = new PostgreSqlEventStore(_database);
        Users = new PostgreSqlUserStore(_database);
        SignedOutSessions = new PostgreSqlSignedOutSessionStore(_database);
        RetentionPolicies = new PostgreSqlRetentionPolicyStore(_database);
        Orphans = new PostgreSqlOrphanStore(_database);
    }

    [Test]
    public async Task AnEventCommittedLater_ComesAfterTheOthers_EvenWhenWrittenFirst()
    {
        // A push whose transaction writes its event first but commits last: a reader must not pass it unseen.
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var slow = await connection.BeginTransactionAsync();
        await PostgreSqlEventStore.InsertAsync(connection, slow, [Event("slow", "r")], None);
        await Events.AppendAsync([Event("fast", "r")], None);

        var before = await Events.ReadAfterAsync(0, 10, None);
        Assert.That(before.Select(e => e.Event.Id), Is.EqualTo(new[] { "fast" }), "an event is handed out only once committed");
        await slow.CommitAsync();
        var after = await Events.ReadAfterAsync(before[^1].Position, 10, None);
        Assert.That(after.Select(e => e.Event.Id), Is.EqualTo(new[] { "slow" }), "it comes after what was read before it committed");
    }

    [Test]
    public async Task ServersStartingTogether_ApplyEachMigrationOnce()
    {
        var fresh = await _cluster.CreateDatabaseAsync();
        try
        {
            var servers = Enumerable.Range(0, 4).Select(_ => new PostgreSqlDatabase(fresh, NullLogger<PostgreSqlDatabase>.Instance)).ToList();
            await Task.WhenAll(servers.Select(s => s.OpenAsync(None)));
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            await using var connection = new NpgsqlConnection(fresh);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*), count(DISTINCT version) FROM berth_schema_migrations", connection);
            await using var reader = await count.ExecuteReaderAsync();
            await reader.ReadAsync();
            long migrations = PostgreSqlSchema.Migrations.Count;
            Assert.That((reader.GetInt64(0), reader.GetInt64(1)), Is.EqualTo((migrations, migrations)), "each migration once");
        }
        finally
        {
            await _cluster.DropDatabaseAsync(fresh);
        }
    }

    [Test]
    public async Task ADatabaseOfANewerSchema_IsRefused_SayingWhatToDo()
    {
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var newer = new NpgsqlCommand("INSERT INTO berth_schema_migrations (version, description) VALUES (999, 'from the future')", connection);
            await newer.ExecuteNonQueryAsync();
        }

        await using var server = new PostgreSqlDatabase(_connectionString, NullLogger<PostgreSqlDatabase>.Instance);
        Assert.That(
            async () => await server.OpenAsync(None),
            Throws.TypeOf<MetadataSchemaException>().With.Message.Contains("schema version 999").And.Message.Contains("run a newer Berth"));
    }
}
