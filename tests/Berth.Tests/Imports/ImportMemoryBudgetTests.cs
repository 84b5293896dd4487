using Berth.Plugins;
using Berth.Server.Configuration;
using Berth.Server.Imports;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace Berth.Tests.Imports;

/// <summary>The server-wide budget for documents held whole: refuses what can never fit, queues the rest in order.</summary>
public sealed class ImportMemoryBudgetTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static ImportMemoryBudget Budget(long bytes) =>
        new(Options.Create(new BerthOptions { Imports = { MaxDocumentBytes = bytes, MemoryBudgetBytes = bytes } }));

    [Test]
    public void ReserveAsync_MoreThanTheWholeBudget_IsRefusedAsTooLarge()
    {
        var budget = Budget(1000);

        var refused = Assert.ThrowsAsync<ContentException>(async () => await budget.ReserveAsync(1001, CancellationToken.None));

        Assert.That(refused!.Error, Is.EqualTo(ContentError.TooLarge));
        Assert.That(budget.ReservedBytes, Is.Zero);
    }

    [Test]
    public async Task ReserveAsync_WhenTheBudgetIsTaken_WaitsUntilRoomIsGivenBack()
    {
        var budget = Budget(1000);
        var first = await budget.ReserveAsync(700, CancellationToken.None);

        var second = budget.ReserveAsync(700, CancellationToken.None).AsTask();
        Assert.That(budget.WaitingCount, Is.EqualTo(1));
        Assert.That(second.IsCompleted, Is.False, "granted beyond the budget");

        first.Dispose();
        using var granted = await second.WaitAsync(Bound);
        Assert.That(budget.ReservedBytes, Is.EqualTo(700));
    }

    [Test]
    public async Task ReserveAsync_ALargeWaiter_IsNotOvertakenBySmallOnes()
    {
        var budget = Budget(1000);
        var held = await budget.ReserveAsync(600, CancellationToken.None);
        var large = budget.ReserveAsync(1000, CancellationToken.None).AsTask();
        var small = budget.ReserveAsync(100, CancellationToken.None).AsTask();
        Assert.That(budget.WaitingCount, Is.EqualTo(2));
        Assert.That(small.IsCompleted, Is.False, "a small reservation overtook the large one waiting ahead of it");

        held.Dispose();
        var grantedLarge = await large.WaitAsync(Bound);
        Assert.That(small.IsCompleted, Is.False);
        grantedLarge.Dispose();
        using var grantedSmall = await small.WaitAsync(Bound);
        Assert.That(budget.ReservedBytes, Is.EqualTo(100));
    }

    [Test]
    public async Task ReserveAsync_Cancelled_GivesUpItsPlace_AndThoseBehindGoOn()
    {
        var budget = Budget(1000);
        var held = await budget.ReserveAsync(600, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var large = budget.ReserveAsync(1000, cancel.Token).AsTask();
        var small = budget.ReserveAsync(300, CancellationToken.None).AsTask();

        await cancel.CancelAsync();

        Assert.That(async () => await large.WaitAsync(Bound), Throws.InstanceOf<OperationCanceledException>());
        using var grantedSmall = await small.WaitAsync(Bound);
        held.Dispose();
        Assert.That(budget.ReservedBytes, Is.EqualTo(300));
    }

    [Test]
    public async Task Reservation_DisposedTwice_GivesBackOnce()
    {
        var budget = Budget(1000);
        var other = await budget.ReserveAsync(400, CancellationToken.None);
        var reservation = await budget.ReserveAsync(500, CancellationToken.None);

        reservation.Dispose();
        reservation.Dispose();

        Assert.That(budget.ReservedBytes, Is.EqualTo(400));
        other.Dispose();
    }
}
