using System.CommandLine;
using Berth.Cli.Connection;

namespace Berth.Cli;

/// <summary>
/// How a command runs: with the output chosen by --quiet and, for commands that talk to the server, a client
/// signed in as the options, environment or login file say. Failures become exit codes in one place (Program).
/// </summary>
public static class CommandAction
{
    public static void Set(Command command, Func<ParseResult, BerthClient, Output, CancellationToken, Task> action)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new BerthClient(GlobalOptions.Resolve(parse, Console.In));
            await action(parse, client, OutputOf(parse), cancellationToken);
            return ExitCode.Ok;
        });
    }

    public static Output OutputOf(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new Output(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, parse.GetValue(GlobalOptions.Quiet));
    }
}
