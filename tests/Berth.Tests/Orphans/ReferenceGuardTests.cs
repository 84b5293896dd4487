using Berth.Server.Orphans;
using NUnit.Framework;

namespace Berth.Tests.Orphans;

public sealed class ReferenceGuardTests
{
    [Test]
    public async Task HeldKeys_CannotBeCondemned_UntilReleased()
    {
        var guard = new ReferenceGuard();
        var hold = await guard.HoldAsync(["a", "b"], CancellationToken.None);
        var sharing = await guard.HoldAsync(["b"], CancellationToken.None);

        Assert.That(await guard.TryCondemnAsync(["b", "c"], CancellationToken.None), Is.Null);
        using var c = await guard.TryCondemnAsync(["c"], CancellationToken.None);
        Assert.That(c, Is.Not.Null, "a key nobody holds can be condemned");
        hold.Dispose();
        Assert.That(await guard.TryCondemnAsync(["b"], CancellationToken.None), Is.Null, "b is still held by the second hold");
        sharing.Dispose();
        var ab = await guard.TryCondemnAsync(["a", "b"], CancellationToken.None);
        Assert.That(ab, Is.Not.Null);
        ab!.Dispose();
        c!.Dispose();
        Assert.That(guard.Count, Is.Zero);
    }

    [Test]
    public async Task CondemnedKeys_MakeHoldersWait_UntilReleased()
    {
        var guard = new ReferenceGuard();
        var x = await guard.TryCondemnAsync(["x"], CancellationToken.None);
        Assert.That(x, Is.Not.Null);

        var waiting = guard.HoldAsync(["y", "x"], CancellationToken.None);
        await Task.Delay(50);
        Assert.That(waiting.IsCompleted, Is.False, "a hold went ahead of a deletion under way");
        var y = await guard.TryCondemnAsync(["y"], CancellationToken.None);
        Assert.That(y, Is.Not.Null, "a waiting hold must not hold anything meanwhile");
        x!.Dispose();
        y!.Dispose();

        using var hold = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(await guard.TryCondemnAsync(["x"], CancellationToken.None), Is.Null);
    }
}
