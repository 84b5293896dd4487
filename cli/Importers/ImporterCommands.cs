using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Cli.Repositories;

namespace Berth.Cli.Importers;

/// <summary><c>berth importer add|list|remove</c>: the importers registered on a repository.</summary>
public static class ImporterCommands
{
    public static Command Create()
    {
        var importer = new Command("importer", "Register importers on a repository, list and remove them");
        importer.Subcommands.Add(AddCommand());
        importer.Subcommands.Add(ListCommand());
        importer.Subcommands.Add(RemoveCommand());
        return importer;
    }

    private static Command AddCommand()
    {
        var repo = RepositoryReference.Option();
        var type = new Argument<string>("type") { Description = "The importer type id, as berth importer list shows" };
        var config = new Option<string?>("--config") { Description = "The importer's configuration, a JSON object" };
        var command = new Command("add", "Register an importer on a repository") { repo, type, config };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var body = new JsonObject { ["importer_type_id"] = parse.GetValue(type) };
            if (parse.GetValue(config) is { } text)
            {
                try
                {
                    body["importer_config"] = JsonNode.Parse(text) as JsonObject ?? throw CliException.Usage("--config must be a JSON object");
                }
                catch (JsonException e)
                {
                    throw CliException.Usage($"--config is not JSON: {e.Message}");
                }
            }

            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            await client.PostAsync($"{repository.Path}importers/", body, cancellationToken);
            output.Info($"registered importer {parse.GetValue(type)} on {repository}");
        });
        return command;
    }

    private static Command ListCommand()
    {
        var repo = new Option<string?>("--repo", "-r") { Description = RepositoryReference.Description + "; without it, the importer types the server has" };
        var command = new Command("list", "List a repository's importers, or the importer types the server has") { repo };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            if (parse.GetValue(repo) is { } named)
            {
                var repository = await RepositoryFinder.FindAsync(client, named, cancellationToken);
                var importers = (await client.GetAsync($"{repository.Path}importers/", cancellationToken)).AsArray();
                output.Table(["IMPORTER", "CONFIG"], importers.Select(i => (IReadOnlyList<string>)[i!["importer_type_id"]!.GetValue<string>(), i["config"]!.ToJsonString(CliJson.Compact)]));
            }
            else
            {
                var types = (await client.GetAsync("/plugins/importers/", cancellationToken)).AsArray();
                output.Table(["IMPORTER TYPE", "UNIT TYPES"], types.Select(t => (IReadOnlyList<string>)
                [
                    t!["id"]!.GetValue<string>(),
                    string.Join(",", t["types"]?.AsArray().Select(u => u!.GetValue<string>()) ?? []),
                ]));
            }
        });
        return command;
    }

    private static Command RemoveCommand()
    {
        var repo = RepositoryReference.Option();
        var type = new Argument<string>("type") { Description = "The importer type id" };
        var command = new Command("remove", "Remove an importer from a repository") { repo, type };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            await client.DeleteAsync($"{repository.Path}importers/{Uri.EscapeDataString(parse.GetValue(type)!)}/", cancellationToken);
            output.Info($"removed importer {parse.GetValue(type)} from {repository}");
        });
        return command;
    }
}
