using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Cli;

/// <summary>
/// The README's way to get a <c>berth</c> command: the CLI packed as a .NET tool and installed from that package, then
/// run from any folder (here a tool path instead of the user's global tools, from a folder outside the clone).
/// </summary>
public sealed class CliInstallTests
{
    [Test]
    [CancelAfter(180_000)]
    public async Task TheCli_PackedAsATool_InstallsAndRunsFromAnyFolder(CancellationToken cancellationToken)
    {
        using var packages = new TempFolder();
        using var tools = new TempFolder();
        using var elsewhere = new TempFolder();

        // The tests built the CLI already: packing that build is what `dotnet pack cli` does after its own build.
        var pack = await ToolRun.RunAsync(SourceTree.Root, ["dotnet", "pack", "cli", "--no-build", "-c", BuildConfiguration.Name, "-o", packages.Path, "-nodeReuse:false"], cancellationToken);
        Assert.That(pack.ExitCode, Is.Zero, pack.ToString());
        var install = await ToolRun.RunAsync(elsewhere.Path, ["dotnet", "tool", "install", "--tool-path", tools.Path, "--add-source", packages.Path, "berth"], cancellationToken);
        Assert.That(install.ExitCode, Is.Zero, install.ToString());

        var help = await ToolRun.RunAsync(elsewhere.Path, [Path.Combine(tools.Path, "berth"), "--help"], cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(help.ExitCode, Is.Zero, help.ToString());
            Assert.That(help.Output, Does.Contain("Exit codes: 0 done"));
            Assert.That(Directory.EnumerateFileSystemEntries(elsewhere.Path), Is.Empty, "running the command wrote into the folder it ran in");
        }
    }
}
