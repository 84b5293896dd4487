using System.CommandLine.Invocation;
using Berth.Cli;
using Berth.Cli.Connection;

var parse = BerthCommand.Create().Parse(args);
if (parse.Action is ParseErrorAction)
{
    return CommandLineErrors.Report(parse);
}

try
{
    return await parse.InvokeAsync(new System.CommandLine.InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (CliException e)
{
    await Console.Error.WriteLineAsync($"berth: {e.Message}");
    return e.ExitCode;
}
catch (ServerRefusedException e)
{
    await Console.Error.WriteLineAsync($"berth: {e.Message}");
    return ExitCode.Refused;
}
catch (IOException e)
{
    await Console.Error.WriteLineAsync($"berth: {e.Message}");
    return ExitCode.Usage;
}
