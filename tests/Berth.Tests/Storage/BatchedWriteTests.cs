using Berth.Server.Storage.LiteDb;
using Berth.Tests.Support;
using LiteDB;
using NUnit.Framework;

namespace Berth.Tests.Storage;

/// <summary>
/// The database's one writer commits the writes that queued while it was busy in one transaction: in order, each seeing
/// those before it, and a write that throws fails alone, the others of its batch committed all the same.
/// </summary>
public sealed class BatchedWriteTests
{
    private const string Collection = "batched";

    [Test]
    public async Task WritesQueuedTogether_CommitInOrder_AndOneThatThrowsFailsAlone()
    {
        using var folder = new TempFolder();
        using var database = new LiteDbDatabase(folder.Combine("berth.db"));
        using var busy = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();

        // The writer is kept busy, so the next writes queue up and are taken together.
        var blocking = database.WriteAsync(db =>
        {
            busy.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            return Insert(db, "first");
        });
        Assert.That(busy.Wait(TimeSpan.FromSeconds(30)), Is.True);
        var second = database.WriteAsync(db => Insert(db, "second"));
        var failing = database.WriteAsync<int>(db =>
        {
            Insert(db, "failing");
            throw new InvalidOperationException("this write's own fault");
        });
        var third = database.WriteAsync(db => db.GetCollection(Collection).Count() + Insert(db, "third"));
        release.Set();

        await blocking;
        await second;
        Assert.That(async () => await failing, Throws.InvalidOperationException.With.Message.EqualTo("this write's own fault"));
        var seen = await third;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen, Is.EqualTo(2 + 1), "the third write sees the two before it, not the failed one");
            Assert.That(database.Read(db => db.GetCollection(Collection).FindAll().Select(d => d["_id"].AsString).Order().ToList()), Is.EqualTo(new[] { "first", "second", "third" }));
        }
    }

    private static int Insert(LiteDatabase db, string id)
    {
        db.GetCollection(Collection).Insert(new BsonDocument { ["_id"] = id });
        return 1;
    }
}
