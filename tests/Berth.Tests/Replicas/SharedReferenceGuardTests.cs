using Berth.Server.Orphans;
using Berth.Server.Storage.PostgreSql;
using Berth.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Berth.Tests.Replicas;

/// <summary>
/// The reference guard of two servers sharing a PostgreSQL database: what one holds, the other cannot condemn, and what
/// one condemned, the other waits for; a hold whose session ended is no promise any more, and says so.
/// </summary>
public sealed class SharedReferenceGuardTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private static readonly CancellationToken None = CancellationToken.None;

    private PostgreSqlCluster _cluster = null!;
    private string _connectionString = null!;
    private readonly List<IAsyncDisposable> _owned = [];
    private ReferenceGuard _first = null!;
    private ReferenceGuard _second = null!;

    [SetUp]
    public async Task TwoServers()
    {
        _cluster = await PostgreSqlCluster.SharedAsync();
        _connectionString = await _cluster.CreateDatabaseAsync();
        _first = Guard();
        _second = Guard();
    }

    [TearDown]
    public async Task Close()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        _owned.Clear();
        await _cluster.DropDatabaseAsync(_connectionString);
    }

    [Test]
    public async Task WhatOneServerHolds_AnotherCannotCondemn_UntilLetGo()
    {
        var hold = await _first.HoldAsync(["k1", "k2"], None);
        Assert.That(await _second.TryCondemnAsync(["k3", "k2"], None), Is.Null, "a key held on the first server was condemned on the second");

        // All or none: the refused condemnation left nothing condemned behind it.
        using (var k3 = await _first.HoldAsync(["k3"], None).WaitAsync(Bound))
        {
            await k3.ConfirmAsync(None);
        }

        hold.Dispose();
        using var condemned = await CondemnEventuallyAsync(_second, ["k1", "k2", "k3"]);
        Assert.That(condemned, Is.Not.Null, "keys let go on the first server stayed held for the second");
    }

    [Test]
    public async Task WhatOneServerCondemned_MakesHoldersOnAnotherWait_UntilTheDeletionEnds()
    {
        var condemned = await _second.TryCondemnAsync(["x"], None);
        Assert.That(condemned, Is.Not.Null);
        await condemned!.ConfirmAsync(None);

        var waiting = _first.HoldAsync(["y", "x"], None);
        await Task.Delay(300);
        Assert.That(waiting.IsCompleted, Is.False, "a hold went ahead of another server's deletion under way");
        using (var y = await CondemnEventuallyAsync(_second, ["y"]))
        {
            Assert.That(y, Is.Not.Null, "a waiting holder held what it waited with");
        }

        condemned.Dispose();
        using var hold = await waiting.WaitAsync(Bound);
        Assert.That(await _second.TryCondemnAsync(["x"], None), Is.Null, "the hold taken after the deletion is not seen");
    }

    [Test]
    public async Task AHolderThatStopsWaiting_LeavesNothingHeld()
    {
        var condemned = await _second.TryCondemnAsync(["q"], None);
        using (var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            Assert.That(async () => await _first.HoldAsync(["r", "q"], impatient.Token), Throws.InstanceOf<OperationCanceledException>());
        }

        condemned!.Dispose();
        using var both = await CondemnEventuallyAsync(_second, ["r", "q"]);
        Assert.That(both, Is.Not.Null, "a holder that gave up left a key held");
        Assert.That(_first.Count, Is.Zero);
    }

    [Test]
    public async Task AHoldWhoseSessionEnded_CannotBeConfirmed_AndTheNextHoldsWork()
    {
        var hold = await _first.HoldAsync(["z"], None);
        await hold.ConfirmAsync(None);

        // Only the first server's guard has a session yet: the database ends it, as a broken connection would.
        Assert.That(
            await PostgreSqlCluster.ScalarAsync<long>(_connectionString, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'berth reference guard'"),
            Is.EqualTo(1));
        using (var taken = await CondemnEventuallyAsync(_second, ["z"]))
        {
            Assert.That(taken, Is.Not.Null, "the ended session's hold outlived it");
        }

        Assert.That(async () => await hold.ConfirmAsync(None), Throws.InstanceOf<ReferenceGuardLostException>(), "work whose hold ended could commit");
        hold.Dispose();

        using var again = await _first.HoldAsync(["z"], None).WaitAsync(Bound);
        await again.ConfirmAsync(None);
        Assert.That(await _second.TryCondemnAsync(["z"], None), Is.Null, "the hold taken on the new session is not seen");
    }

    [Test]
    public async Task ManyHoldsAtOnce_AllTaken_AndAllLetGo()
    {
        var keys = Enumerable.Range(0, 500).Select(i => $"content\nsha256:{i:x64}").ToList();
        var holds = await Task.WhenAll(keys.Select(k => _first.HoldAsync([k, "shared base layer"], None))).WaitAsync(Bound);
        await Task.WhenAll(holds.Select(h => h.ConfirmAsync(None))).WaitAsync(Bound);
        Assert.That(await _second.TryCondemnAsync([keys[250]], None), Is.Null);

        foreach (var hold in holds)
        {
            hold.Dispose();
        }

        using var all = await CondemnEventuallyAsync(_second, [.. keys, "shared base layer"]);
        Assert.That(all, Is.Not.Null, "a key stayed held after every hold was let go");
    }

    private ReferenceGuard Guard()
    {
        var database = new PostgreSqlDatabase(_connectionString, NullLogger<PostgreSqlDatabase>.Instance);
        var locks = new PostgreSqlGuardLocks(database, NullLogger<PostgreSqlGuardLocks>.Instance);
        _owned.Add(database);
        _owned.Add(locks);
        return new ReferenceGuard(locks);
    }

    // Letting go reaches the database a moment after the hold is disposed.
    private static async Task<ReferenceGuard.Condemnation?> CondemnEventuallyAsync(ReferenceGuard guard, IReadOnlyCollection<string> keys)
    {
        ReferenceGuard.Condemnation? condemnation = null;
        await Eventually.WaitAsync(async () => (condemnation = await guard.TryCondemnAsync(keys, None)) is not null, Bound);
        return condemnation;
    }
}
