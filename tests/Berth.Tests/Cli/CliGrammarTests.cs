using System.CommandLine;
using Berth.Cli;
using NUnit.Framework;

namespace Berth.Tests.Cli;

/// <summary>
/// The shape of berth's command tree, read in process. A command that takes arguments and has subcommands reads a
/// subcommand's name as its argument (a tag named <c>history</c> could not be set), and a group's own required
/// option makes its subcommands unusable: neither may come back.
/// </summary>
[Category("Cli")]
public sealed class CliGrammarTests
{
    [Test]
    public void NoCommand_HasBothArgumentsAndSubcommands()
    {
        var both = Commands(BerthCommand.Create()).Where(c => c.Command.Arguments.Count > 0 && c.Command.Subcommands.Count > 0).Select(c => c.Path);
        Assert.That(both, Is.Empty);
    }

    [Test]
    public void NoGroup_HasOptionsOfItsOwn()
    {
        // Options every command takes are declared on the root as recursive; help and version are System.CommandLine's.
        var withOptions = Commands(BerthCommand.Create())
            .Where(c => c.Command.Subcommands.Count > 0)
            .SelectMany(c => c.Command.Options.Where(o => !o.Recursive && o.Name is not ("--help" or "--version")).Select(o => $"{c.Path} {o.Name}"));
        Assert.That(withOptions, Is.Empty);
    }

    [Test]
    public void EveryCommandWithoutSubcommands_DoesSomething()
    {
        var idle = Commands(BerthCommand.Create()).Where(c => c.Command.Subcommands.Count == 0 && c.Command.Action is null).Select(c => c.Path);
        Assert.That(idle, Is.Empty);
    }

    [Test]
    public void TagHistoryHelp_ShowsItsOwnUsage()
    {
        var output = new StringWriter();
        var parse = BerthCommand.Create().Parse(["tag", "history", "--help"]);

        parse.Invoke(new InvocationConfiguration { Output = output, Error = TextWriter.Null });

        Assert.That(output.ToString(), Does.Contain(" tag history <name> [options]").And.Not.Contain("<digest>"));
    }

    private static IEnumerable<(string Path, Command Command)> Commands(Command command, string path = "berth")
    {
        yield return (path, command);
        foreach (var sub in command.Subcommands.SelectMany(s => Commands(s, $"{path} {s.Name}")))
        {
            yield return sub;
        }
    }
}
