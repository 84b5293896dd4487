using System.CommandLine;
using Berth.Cli.Connection;
using Berth.Cli.Images;
using Berth.Cli.Importers;
using Berth.Cli.Lifecycle;
using Berth.Cli.Promotion;
using Berth.Cli.Repositories;
using Berth.Cli.Sync;
using Berth.Cli.Tags;
using Berth.Cli.Uploads;

namespace Berth.Cli;

/// <summary>
/// The whole command tree of <c>berth</c>. A command either takes arguments or holds subcommands, never both: a
/// group's argument would swallow its subcommands' names (a tag named <c>history</c> could not be set).
/// </summary>
public static class BerthCommand
{
    public static RootCommand Create()
    {
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
        root.Subcommands.Add(TagCommands.Create());
        root.Subcommands.Add(ImageCommands.Export());
        root.Subcommands.Add(PromoteCommand.Create());
        root.Subcommands.Add(RemoveCommand.Create());
        root.Subcommands.Add(RetentionCommands.Create());
        root.Subcommands.Add(OrphanCommands.Create());
        root.Subcommands.Add(RemoteCommands.Create());
        root.Subcommands.Add(SyncCommand.Create());
        root.Subcommands.Add(TaskCommands.Create());
        return root;
    }
}
