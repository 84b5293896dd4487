using System.CommandLine;
using System.CommandLine.Help;

namespace Berth.Cli;

/// <summary>
/// A command line that does not parse: each problem said once, then the command's help, and the usage exit code.
/// System.CommandLine's own report repeats a message once per symbol it concerns (two missing arguments of one
/// command print the same line twice).
/// </summary>
public static class CommandLineErrors
{
    public static int Report(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var error = parse.InvocationConfiguration.Error;
        foreach (var message in parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal))
        {
            error.WriteLine(message);
        }

        error.WriteLine();
        new HelpAction().Invoke(parse);
        return ExitCode.Usage;
    }
}
