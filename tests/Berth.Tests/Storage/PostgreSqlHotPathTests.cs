using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Repositories;
using Berth.Server.Storage;
using Berth.Server.Storage.PostgreSql;
using Berth.Server.TagHistory;
using Berth.Server.Units;
using Berth.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;

namespace Berth.Tests.Storage;

/// <summary>
/// The PostgreSQL store's lookups on the hot paths (a pull by tag, a push's checks, a search, orphan collection) read
/// their big tables through indexes: with thousands of rows analysed, PostgreSQL's own counters show no sequential
/// scan of units, associations or tag history while the store's real calls run.
/// </summary>
[TestFixture]
public sealed class PostgreSqlHotPathTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly string[] BigTables = ["units", "associations", "tag_history"];

    [Test]
    public async Task HotPathLookups_ReadTheBigTablesThroughIndexes()
    {
        var cluster = await PostgreSqlCluster.SharedAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        try
        {
            var (repository, tag, blobs) = await FillAsync(connectionString);

            // The fill's connections report what they did when they exit (the table scans of a new, empty table among
            // it): counted before the reset, not after it.
            Assert.That(await Eventually.WaitAsync(() => AloneAsync(connectionString), TimeSpan.FromSeconds(20)), Is.True, "the fill's connections did not close");
            await PostgreSqlCluster.ExecuteAsync(connectionString, "SELECT pg_stat_reset()");

            var database = new PostgreSqlDatabase(connectionString, NullLogger<PostgreSqlDatabase>.Instance);
            await using (database)
            {
                var units = new PostgreSqlUnitStore(database, TimeProvider.System);
                var repositories = new PostgreSqlRepositoryStore(database, TimeProvider.System);
                Assert.That(await repositories.FindByRegistryNameAsync(Docker.Common.References.RegistryName.Parse("hot/app"), None), Is.Not.Null);
                Assert.That((await units.FindWithReferencedAsync(repository, "docker_tag", tag.Key, None))!.Referenced, Has.Count.EqualTo(1));
                Assert.That(await units.FindInRepositoryAsync(repository, "docker_blob", [.. blobs.Take(20).Select(b => b.Key)], None), Has.Count.EqualTo(20));
                Assert.That(await units.FindAsync("docker_blob", blobs[7].Key, None), Is.Not.Null);
                Assert.That(await units.SearchAsync(repository, new UnitCriteria(["docker_tag"], 0, 10), None), Has.Count.EqualTo(1));
                Assert.That(await units.SearchAsync(repository, new UnitCriteria(null, 100, 10), None), Has.Count.EqualTo(10));
                Assert.That(await units.LastAddedAsync(repository, None), Is.Not.Null);
                Assert.That(await new PostgreSqlTagHistoryStore(database).ListAsync(repository, "latest", None), Has.Count.EqualTo(1));
                var orphans = new PostgreSqlOrphanStore(database);
                Assert.That((await orphans.PageAsync(null, blobs[100].Id, 50, None)).Next, Is.Not.Null);
                Assert.That(await orphans.NamedDigestsAsync("sha256:00ab", None), Is.Empty);
            }

            var scans = await Eventually.WaitAsync(() => StatisticsSettledAsync(connectionString), TimeSpan.FromSeconds(20));
            Assert.That(scans, Is.True, "PostgreSQL's statistics did not show the lookups within 20 s");
            var sequential = await SequentialScansAsync(connectionString);
            Assert.That(sequential, Is.All.Matches<(string Table, long Scans)>(t => t.Scans == 0), string.Join(", ", sequential.Select(t => $"{t.Table}: {t.Scans}")));
        }
        finally
        {
            await cluster.DropDatabaseAsync(connectionString);
        }
    }

    /// <summary>Three repositories of 1500 blobs each, one with a tag and a thousand tag moves; 500 orphans; then ANALYZE.</summary>
    private static async Task<(RepositoryId Repository, Unit Tag, List<Unit> Blobs)> FillAsync(string connectionString)
    {
        await using var database = new PostgreSqlDatabase(connectionString, NullLogger<PostgreSqlDatabase>.Instance);
        await database.OpenAsync(None);
        var repositories = new PostgreSqlRepositoryStore(database, TimeProvider.System);
        var work = new PostgreSqlUnitOfWorkStore(database, TimeProvider.System);
        RepositoryId hot = default;
        Unit tag = null!;
        var blobs = new List<Unit>();
        foreach (var name in new[] { "cold-1", "hot", "cold-2" })
        {
            var id = RepositoryId.TryParse(name, out var parsed, out _) ? parsed : throw new ArgumentException(name);
            await repositories.TryCreateAsync(
                new Repository { Id = id, DisplayName = name, RegistryName = Docker.Common.References.RegistryName.Parse(name == "hot" ? "hot/app" : name), Created = DateTimeOffset.UtcNow },
                [],
                None);
            using var unitOfWork = new UnitOfWork();
            var saved = Enumerable.Range(0, 1500).Select(i => unitOfWork.Save(new Unit
            {
                TypeId = "docker_blob",
                Key = UnitKey.Of("digest", $"sha256:{name}{i:D6}".PadRight(71, '0')),
                Metadata = new JsonObject { ["size"] = i },
                ContentDigest = $"sha256:{name}{i:D6}".PadRight(71, '0'),
            })).ToList();
            saved.ForEach(u => unitOfWork.Associate(id, u));
            if (name == "hot")
            {
                hot = id;
                tag = unitOfWork.Save(new Unit
                {
                    TypeId = "docker_tag",
                    Key = UnitKey.Of(new KeyValuePair<string, string>("name", "latest"), new KeyValuePair<string, string>("repo_id", name)),
                    Metadata = [],
                    References = [new UnitReference("docker_blob", saved[3].Key, UnitReferenceKind.Target)],
                });
                unitOfWork.Associate(id, tag);
                unitOfWork.Record(new TagMove(id, "latest", DateTimeOffset.UtcNow, "tester", null, saved[3].Key["digest"]));
                for (var i = 0; i < 1000; i++)
                {
                    unitOfWork.Record(new TagMove(id, $"v{i}", DateTimeOffset.UtcNow, "tester", null, saved[i].Key["digest"]));
                }
            }

            var committed = await unitOfWork.CommitAsync(work, None);
            if (name == "hot")
            {
                blobs = [.. saved.Select(committed.Resolve)];
                tag = committed.Resolve(tag);
            }
        }

        // Orphans too: units in no repository.
        using (var orphans = new UnitOfWork())
        {
            for (var i = 0; i < 500; i++)
            {
                orphans.Save(new Unit { TypeId = "docker_blob", Key = UnitKey.Of("digest", $"sha256:orphan{i:D6}".PadRight(71, '0')), Metadata = [] });
            }

            await orphans.CommitAsync(work, None);
        }

        await PostgreSqlCluster.ExecuteAsync(connectionString, "ANALYZE");
        return (hot, tag, blobs);
    }

    // Backends report their counters when their transactions end, at most once a second, and when they exit: the
    // lookups are counted once no other connection is left and the index scans show.
    private static async Task<bool> StatisticsSettledAsync(string connectionString) =>
        await AloneAsync(connectionString) && await PostgreSqlCluster.ScalarAsync<long>(
            connectionString, "SELECT coalesce(sum(idx_scan), 0)::bigint FROM pg_stat_user_tables WHERE relname = 'associations'") > 0;

    /// <summary>Whether no connection but this check's own is open to the database (pooled ones are closed first).</summary>
    private static async Task<bool> AloneAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        return await PostgreSqlCluster.ScalarAsync<long>(connectionString, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") == 0;
    }

    private static async Task<List<(string Table, long Scans)>> SequentialScansAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT relname, seq_scan FROM pg_stat_user_tables WHERE relname = ANY(@tables) ORDER BY relname", connection);
        command.Parameters.AddWithValue("tables", BigTables);
        await using var reader = await command.ExecuteReaderAsync();
        var scans = new List<(string, long)>();
        while (await reader.ReadAsync())
        {
            scans.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        Assert.That(scans.Select(s => s.Item1), Is.EquivalentTo(BigTables));
        return scans;
    }
}
