using System.CommandLine;
using Berth.Cli;
using Berth.Cli.Connection;
using Berth.Cli.Images;
using Berth.Cli.Importers;
using Berth.Cli.Lifecycle;
using Berth.Cli.Promotion;
using Berth.Cli.Repositories;
using Berth.Cli.Uploads;

var root = new RootCommand(
    """
    berth: manage a Berth server's repositories and upload images to it through the content API.

    Exit codes: 0 done; 1 usage (a bad command line, a missing or corrupted local file); 2 the server refused
    (its reason is printed); 3 the server could not be reached or the connection broke.
    """);
GlobalOptions.AddTo(root);
root.Subcommands.Add(LoginCommands.Login());
root.Subcommands.Add(LoginCommands.Logout());
root.Subcommands.Add(RepositoryCommands.Create());
root.Subcommands.Add(ImporterCommands.Create());
root.Subcommands.Add(UploadCommands.Create());
root.Subcommands.Add(UploadCommands.TagCommand());
root.Subcommands.Add(ImageCommands.Export());
root.Subcommands.Add(PromoteCommand.Create());
root.Subcommands.Add(RemoveCommand.Create());
root.Subcommands.Add(RetentionCommands.Create());
root.Subcommands.Add(OrphanCommands.Create());

var parse = root.Parse(args);
try
{
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
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
