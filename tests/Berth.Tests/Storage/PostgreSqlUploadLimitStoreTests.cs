using Berth.Server.Storage.PostgreSql;
using Berth.Server.Uploads;
using Berth.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Berth.Tests.Storage;

/// <summary>
/// Upload limits counted in PostgreSQL, for servers that share it: a user's open uploads and the bytes they hold or are
/// reserving, each checked with its write under the owner's lock, so that concurrent requests cannot pass a limit together.
/// </summary>
[TestFixture]
public sealed class PostgreSqlUploadLimitStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private PostgreSqlCluster _cluster = null!;
    private string _connectionString = null!;
    private PostgreSqlDatabase _database = null!;
    private PostgreSqlUploadRequestStore _uploads = null!;
    private PostgreSqlUploadLimitStore _limits = null!;

    [SetUp]
    public async Task OpenStores()
    {
        _cluster = await PostgreSqlCluster.SharedAsync();
        _connectionString = await _cluster.CreateDatabaseAsync();
        _database = new PostgreSqlDatabase(_connectionString, NullLogger<PostgreSqlDatabase>.Instance);
        await _database.OpenAsync(None);
        _uploads = new PostgreSqlUploadRequestStore(_database);
        _limits = new PostgreSqlUploadLimitStore(_database);
    }

    [TearDown]
    public async Task CloseStores()
    {
        await _database.DisposeAsync();
        await _cluster.DropDatabaseAsync(_connectionString);
    }

    [Test]
    public async Task ConcurrentCreates_StoreNoMoreThanTheLimit_EachOwnerApart()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => _limits.CreateWithinLimitAsync(Upload("ann"), 3, None)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers.Count(a => a is null), Is.EqualTo(3), "as many stored as the limit, of twelve at once");
            Assert.That(answers.Where(a => a is not null), Is.All.EqualTo(3), "each refusal says how many are open");
            Assert.That(await _limits.CountOpenAsync("ann", None), Is.EqualTo(3));
            Assert.That((await _uploads.ListAsync(None)).Count(u => u.Owner == "ann"), Is.EqualTo(3), "a refusal writes nothing");
            Assert.That(await _limits.CreateWithinLimitAsync(Upload("bob"), 3, None), Is.Null, "the limit is each owner's own");
            Assert.That(await _limits.CreateWithinLimitAsync(Upload(null), 0, None), Is.Null, "an upload without an owner is not counted");
        }
    }

    [Test]
    public async Task Reservations_CountWithWhatUploadsHold_AndGrantWhatIsLeftDownToTheLeastAsked()
    {
        var upload = Upload("ann");
        Assert.That(await _limits.CreateWithinLimitAsync(upload, 10, None), Is.Null);
        await AddPartAsync(upload.Id, 0, 0, 30_000);

        // A segment written again over its start adds nothing to what the upload holds: it is counted where it ends.
        await AddPartAsync(upload.Id, 1, 0, 30_000);
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _limits.ReserveAsync(first, "ann", 10_000, 50_000, 100_000, Long, None), Is.EqualTo(new UploadReservation(30_000, 50_000)));
            Assert.That(await _limits.ReserveAsync(second, "ann", 10_000, 50_000, 100_000, Long, None), Is.EqualTo(new UploadReservation(80_000, 20_000)), "what is left, at least what was asked");
            Assert.That(await _limits.ReserveAsync(Guid.NewGuid(), "ann", 1, 1, 100_000, Long, None), Is.EqualTo(new UploadReservation(100_000, null)));
            Assert.That(await _limits.ReserveAsync(Guid.NewGuid(), "bob", 100_000, 100_000, 100_000, Long, None), Is.EqualTo(new UploadReservation(0, 100_000)), "each owner's own");

            // Asked again, a reservation is changed, not added to.
            Assert.That(await _limits.ReserveAsync(first, "ann", 5_000, 5_000, 100_000, Long, None), Is.EqualTo(new UploadReservation(50_000, 5_000)));
        }

        await _limits.ReleaseAsync(second, None);
        Assert.That(await _limits.ReserveAsync(Guid.NewGuid(), "ann", 65_000, 65_000, 100_000, Long, None), Is.EqualTo(new UploadReservation(35_000, 65_000)));

        // An upload that ends no longer holds its parts' bytes.
        await _uploads.DeleteAsync(upload.Id, None);
        Assert.That((await _limits.ReserveAsync(Guid.NewGuid(), "ann", 1, 1, 100_000, Long, None)).Held, Is.EqualTo(70_000));
    }

    [Test]
    public async Task AReservationLeftBehind_StopsCountingWhenItExpires()
    {
        Assert.That((await _limits.ReserveAsync(Guid.NewGuid(), "ann", 100_000, 100_000, 100_000, TimeSpan.FromSeconds(1), None)).Reserved, Is.EqualTo(100_000));
        Assert.That((await _limits.ReserveAsync(Guid.NewGuid(), "ann", 1, 1, 100_000, Long, None)).Reserved, Is.Null, "refused while it lives");

        var granted = await Eventually.WaitAsync(
            async () => (await _limits.ReserveAsync(Guid.NewGuid(), "ann", 100_000, 100_000, 100_000, Long, None)).Reserved is not null, TimeSpan.FromSeconds(30));
        Assert.That(granted, Is.True, "a reservation of a server that stopped lapses");
        Assert.That(
            await PostgreSqlCluster.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM upload_reservations WHERE owner = 'ann'"), Is.EqualTo(1), "expired ones are deleted");
    }

    private static UploadRequest Upload(string? owner) => new(UploadId.New(), DateTimeOffset.UtcNow, null, owner);

    private async Task AddPartAsync(UploadId id, int sequence, long offset, long length) =>
        Assert.That(await _uploads.AddPartAsync(id, new UploadPart(sequence, offset, length, $"part-{sequence}", DateTimeOffset.UtcNow), None), Is.True);
}
