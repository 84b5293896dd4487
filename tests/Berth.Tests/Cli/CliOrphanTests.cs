using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Cli;

/// <summary>
/// <c>berth orphans collect --older-than</c> and <c>berth orphans remove</c>: an administrator collects or removes orphans
/// younger than the server's grace period.
/// </summary>
public sealed class CliOrphanTests : CliFixture
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>([ServerClock.Manual]);

    [Test]
    public async Task CollectOlderThan_TakesWhatIsOldEnough_AndTheDefaultSaysHowManyItKept()
    {
        var repo = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repo);
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(repo, image, "1.0");
        await Api.UnassociateAllAsync(repo);

        var units = image.Blobs.Count + 2;
        await Host.AdvanceClockAsync(TimeSpan.FromMinutes(10));

        var byDefault = await Cli.RunAsync(null, "orphans", "collect");
        var tooYoung = await Cli.RunAsync(null, "orphans", "collect", "--older-than", "15m");
        var negative = await Cli.RunAsync(null, "orphans", "collect", "--older-than", "-5m");
        var oldEnough = await Cli.RunAsync(null, "orphans", "collect", "--older-than", "5m");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(byDefault.ExitCode, Is.Zero, byDefault.ToString());
            Assert.That(byDefault.Output, Does.Contain($"{units} orphaned less than 3600 s ago").And.Contain("--older-than"), byDefault.ToString());
            Assert.That(tooYoung.Output, Does.Contain($"{units} orphaned less than 900 s ago"), tooYoung.ToString());
            Assert.That(negative.ExitCode, Is.EqualTo(1), negative.ToString());
            Assert.That(negative.Error, Does.Contain("'-5m' is not a duration"));
            Assert.That(oldEnough.ExitCode, Is.Zero, oldEnough.ToString());
            Assert.That(oldEnough.Output, Does.Contain($"removed {image.Blobs.Count} docker_blob").And.Not.Contain("left for later"), oldEnough.ToString());
        }

        Assert.That(await Api.OrphansAsync(), Is.Empty);
    }

    [Test]
    public async Task Remove_TakesTheNamedOrphansAtOnce_AndSaysWhichItDidNot()
    {
        var repo = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repo);
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(repo, image, "1.0");
        await Api.UnassociateAllAsync(repo);
        var layer = image.Blobs[^1].Digest.ToString();
        var id = (await Api.OrphansAsync()).Single(o => o!["metadata"]!["digest"]?.GetValue<string>() == layer)!["unit_id"]!.GetValue<string>();

        var removed = await Cli.RunAsync(null, "orphans", "remove", "--type", "docker_blob", id, "no-such-unit");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed.ExitCode, Is.Zero, removed.ToString());
            Assert.That(removed.Output, Does.Contain("removed 1 docker_blob").And.Contain("1 unit and 1 file removed"), removed.ToString());
            Assert.That(removed.Output, Does.Contain("1 named unit not removed"), removed.ToString());
            Assert.That((await Api.OrphansAsync()).Select(o => o!["metadata"]!["digest"]?.GetValue<string>()), Does.Not.Contain(layer).And.Contain(image.Digest.ToString()));
        }
    }
}
