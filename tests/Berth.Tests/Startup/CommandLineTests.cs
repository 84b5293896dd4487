using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Startup;

/// <summary>
/// The server's command line, as a newcomer types it: <c>--help</c> and <c>--version</c> answer and exit, and an
/// argument the server does not know stops it before anything starts, naming the argument (issue 15, item 1).
/// </summary>
[NonParallelizable]
public sealed class CommandLineTests : FolderPerTest
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [TestCase("--help")]
    [TestCase("-h")]
    public async Task Help_PrintsTheUsage_AndExitsZero(string help)
    {
        var exit = await ServerProcess.RunToExitAsync(ServerProcess.StartInfo(Folder.Path, help), Bound);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit.Code, Is.Zero);
            Assert.That(
                exit.Output,
                Does.Contain("--urls").And.Contain("--data-dir").And.Contain("--plugins-conf-dir").And.Contain("verify")
                    .And.Contain("BERTH_ADMIN_PASSWORD").And.Contain("--Section:Key=VALUE").And.Contain("README.md"));
            Assert.That(exit.Output, Does.Not.Contain("Now listening"));
            Assert.That(Directory.Exists(Folder.Combine("data")), Is.False, "nothing is created");
        }
    }

    [Test]
    public async Task Version_PrintsTheVersion_AndExitsZero()
    {
        var exit = await ServerProcess.RunToExitAsync(ServerProcess.StartInfo(Folder.Path, "--version"), Bound);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit.Code, Is.Zero);
            Assert.That(exit.Output, Does.Match(@"^Berth\.Server \d+\.\d+\.\d+"));
            Assert.That(Directory.Exists(Folder.Combine("data")), Is.False, "nothing is created");
        }
    }

    [TestCase(new[] { "--port", "9999" }, "unknown option --port: to listen on port 9999, use --urls http://0.0.0.0:9999")]
    [TestCase(new[] { "--datadir", "elsewhere" }, "unknown option --datadir: did you mean --data-dir?")]
    [TestCase(new[] { "--data_dir=elsewhere" }, "unknown option --data_dir: did you mean --data-dir?")]
    [TestCase(new[] { "-p", "9999" }, "unknown option -p: to listen on port 9999")]
    [TestCase(new[] { "serve" }, "unexpected argument 'serve'")]
    [TestCase(new[] { "--Berth__DataDir=elsewhere" }, "did you mean --Berth:DataDir?")]
    [TestCase(new[] { "--Bert:DataDir=elsewhere" }, "unknown option --Bert:DataDir")]
    [TestCase(new[] { "--urls" }, "--urls needs a value")]
    [TestCase(new[] { "--data-dir", "elsewhere", "verify" }, "the verify command comes first")]
    public async Task UnknownArgument_IsNamedInOneLine_AndNothingStarts(string[] arguments, string message)
    {
        var exit = await ServerProcess.RunToExitAsync(ServerProcess.StartInfo(Folder.Path, arguments), Bound);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit.Code, Is.EqualTo(2));
            Assert.That(exit.Errors.TrimEnd().Split('\n'), Has.Length.EqualTo(1), exit.Errors);
            Assert.That(exit.Errors, Does.StartWith("berth: ").And.Contain(message).And.Contain("--help"));
            Assert.That(exit.Output, Is.Empty, "nothing starts, nothing is logged");
            Assert.That(Directory.GetFileSystemEntries(Folder.Path), Is.Empty, "nothing is created: no data folder, here or elsewhere");
        }
    }

    [Test]
    public async Task SettingsAndSwitches_InBothForms_StillWork()
    {
        var dataDir = Folder.Combine("stored");
        await using var server = await ServerProcess.StartAsync(
            Folder.Path, "--Berth:DataDir", dataDir, "--Logging:LogLevel:Default=Information", "--Berth:MaxPageSize", "7", "--data-dir=" + dataDir);
        using var http = server.CreateClient();
        await new ContentApiClient(http).CreateRepositoryAsync("here");
        Assert.That(File.Exists(Path.Combine(dataDir, "berth.db")), Is.True);
    }
}
