using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Cli;

/// <summary><c>berth tag set|history|rollback NAME --repo R</c>, against the real server process.</summary>
public sealed class CliTagTests : CliFixture
{
    [TestCase("history")]
    [TestCase("rollback")]
    [TestCase("set")]
    public async Task ATagNamedLikeASubcommand_CanBeSet_AndItsHistoryRead(string name)
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(repository, image);

        var set = await Cli.RunAsync(null, "tag", "set", name, image.Digest.ToString(), "--repo", repository);
        var history = await Cli.RunAsync(null, "tag", "history", name, "--repo", repository);

        Assert.That(set.ExitCode, Is.Zero, set.ToString());
        using var served = await Api.Http.GetAsync($"/v2/{repository}/manifests/{name}");
        Assert.That(await served.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
        Assert.That(history.ExitCode, Is.Zero, history.ToString());
        Assert.That(history.Output, Does.Contain(image.Digest.ToString()));
    }

    [Test]
    public async Task HistoryOfATagThatNeverExisted_IsAnError()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);

        var result = await Cli.RunAsync(null, "tag", "history", "never", "--repo", repository);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain($"repository {repository} has no tag never"));
        Assert.That(result.Output, Is.Empty);
    }

    [Test]
    public async Task MissingArguments_AreReportedOnce()
    {
        var result = await Cli.RunAsync(null, "tag", "set", "--repo", "anything");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Exactly(1).Contains("Required argument missing"), result.ToString());
        Assert.That(lines, Is.Unique, result.ToString());
        Assert.That(result.Output, Does.Contain("berth tag set <name> <digest> [options]"), "the command's help follows");
    }
}
