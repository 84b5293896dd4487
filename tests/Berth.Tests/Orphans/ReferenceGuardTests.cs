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

        Assert.That(guard.TryCondemn(["b", "c"]), Is.False);
        Assert.That(guard.TryCondemn(["c"]), Is.True, "a key nobody holds can be condemned");
        hold.Dispose();
        Assert.That(guard.TryCondemn(["b"]), Is.False, "b is still held by the second hold");
        sharing.Dispose();
        Assert.That(guard.TryCondemn(["a", "b"]), Is.True);
        guard.Release(["a", "b", "c"]);
        Assert.That(guard.Count, Is.Zero);
    }

    [Test]
    public async Task CondemnedKeys_MakeHoldersWait_UntilReleased()
    {
        var guard = new ReferenceGuard();
        Assert.That(guard.TryCondemn(["x"]), Is.True);

        var waiting = guard.HoldAsync(["y", "x"], CancellationToken.None);
        await Task.Delay(50);
        Assert.That(waiting.IsCompleted, Is.False, "a hold went ahead of a deletion under way");
        Assert.That(guard.TryCondemn(["y"]), Is.True, "a waiting hold must not hold anything meanwhile");
        guard.Release(["x", "y"]);

        using var hold = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(guard.TryCondemn(["x"]), Is.False);
    }
}
