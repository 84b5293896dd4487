using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Cli;

/// <summary>What berth prints reads as English: counts agree with their nouns, and nothing reports work not done.</summary>
public sealed class CliWordingTests : CliFixture
{
    [Test]
    public async Task ImageUpload_CountsInTheRightNumber_AndSaysNothingOfNoTransfer()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var folder = ImageFolders.WriteSkopeoDir(Folder.Combine(repository), TestManifest.OciImage(layers: 1));

        var first = await Cli.RunAsync(null, "upload", "image", folder, "--repo", repository, "--tag", "1.0");
        var again = await Cli.RunAsync(null, "upload", "image", folder, "--repo", repository, "--tag", "1.0");

        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        Assert.That(first.Output, Does.Contain("2 blobs (0 already in").And.Contain("1 manifest, 1 tag\n"));
        Assert.That(first.Output, Does.Contain("sent 2 blobs").And.Contain("imported 1 manifest, set 1 tag in"));
        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        Assert.That(again.Output, Does.Contain("sent 0 blobs").And.Contain("imported 0 manifests, set 1 tag in"));
        Assert.That(again.Output.Split('\n'), Has.None.StartsWith("0 blobs:"), "no transfer line when nothing is transferred");
    }

    [Test]
    public async Task Retention_CountsOneUnitAsOne()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(repository, image, "a");
        await Api.ImportImageAsync(repository, image, "b");
        Assert.That((await Cli.RunAsync(null, "retention", "set", "--repo", repository, "--keep", "*=1")).ExitCode, Is.Zero);

        var show = await Cli.RunAsync(null, "retention", "show", "--repo", repository);
        var dryRun = await Cli.RunAsync(null, "retention", "apply", "--repo", repository, "--dry-run");
        var apply = await Cli.RunAsync(null, "retention", "apply", "--repo", repository);

        Assert.That(show.Output, Does.Contain("keep the 1 newest tag matching *"));
        Assert.That(dryRun.Output, Does.Contain("1 unit would be removed"), dryRun.ToString());
        Assert.That(apply.Output, Does.Contain("1 unit was removed"), apply.ToString());
    }
}
