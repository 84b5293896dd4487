using Berth.Server.Storage.LiteDb;
using NUnit.Framework;

namespace Berth.Tests.Storage;

/// <summary>
/// Group commit: a writer is answered only once a flush that started after its commit has finished, and writers that
/// commit while a flush runs share the next one.
/// </summary>
public sealed class GroupCommitTests
{
    [Test]
    public async Task AWriterAlone_WaitsForOneFlush_ThatCoversItsCommit()
    {
        long committed = 0;
        var flushes = 0;
        var commit = new GroupCommit(() =>
        {
            Interlocked.Increment(ref flushes);
            return Interlocked.Read(ref committed);
        });

        for (var i = 1; i <= 3; i++)
        {
            Interlocked.Increment(ref committed);
            await commit.DurableAsync(i);
            Assert.That(flushes, Is.EqualTo(i));
        }
    }

    [Test]
    public async Task WritersThatCommitDuringAFlush_ShareTheNext_AndNoneIsAnsweredBeforeItsFlush()
    {
        long committed = 0;
        long durable = 0;
        var flushes = 0;
        using var firstFlushStarted = new ManualResetEventSlim();
        using var releaseFirstFlush = new ManualResetEventSlim();
        var commit = new GroupCommit(() =>
        {
            var covered = Interlocked.Read(ref committed);
            if (Interlocked.Increment(ref flushes) == 1)
            {
                firstFlushStarted.Set();
                releaseFirstFlush.Wait(TimeSpan.FromSeconds(30));
            }

            Interlocked.Exchange(ref durable, covered);
            return covered;
        });

        var first = commit.DurableAsync(Interlocked.Increment(ref committed));
        Assert.That(firstFlushStarted.Wait(TimeSpan.FromSeconds(30)), Is.True);

        // Forty writers commit while the first flush runs: none may be answered by it.
        var later = Enumerable.Range(0, 40).Select(_ =>
        {
            var generation = Interlocked.Increment(ref committed);
            return (Generation: generation, Task: commit.DurableAsync(generation));
        }).ToList();
        Assert.That(later.Select(w => w.Task.IsCompleted), Is.All.False);

        releaseFirstFlush.Set();
        await first;
        await Task.WhenAll(later.Select(w => w.Task)).WaitAsync(TimeSpan.FromSeconds(30));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(flushes, Is.EqualTo(2), "the forty share one flush");
            Assert.That(Interlocked.Read(ref durable), Is.GreaterThanOrEqualTo(later.Max(w => w.Generation)));
        }
    }

    [Test]
    public async Task AFailedFlush_FailsItsWriters_AndTheNextWriterFlushesAfresh()
    {
        long committed = 0;
        var fail = true;
        var commit = new GroupCommit(() => fail ? throw new IOException("disk gone") : Interlocked.Read(ref committed));

        Assert.That(async () => await commit.DurableAsync(Interlocked.Increment(ref committed)), Throws.TypeOf<IOException>());

        fail = false;
        await commit.DurableAsync(Interlocked.Increment(ref committed)).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Test]
    public async Task ManyConcurrentWriters_AreAllAnswered_EachAfterAFlushThatCoversIt()
    {
        // Sharing itself is shown, without depending on timing, by the test that holds a flush; this one looks for lost
        // wake-ups and early answers under a crowd.
        long committed = 0;
        long durable = 0;
        var commit = new GroupCommit(() =>
        {
            var covered = Interlocked.Read(ref committed);
            Interlocked.Exchange(ref durable, covered);
            return covered;
        });

        var early = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            var generation = Interlocked.Increment(ref committed);
            await commit.DurableAsync(generation);
            return Interlocked.Read(ref durable) < generation;
        }))).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(early, Has.None.True, "a writer was answered before a flush covered it");
    }
}
