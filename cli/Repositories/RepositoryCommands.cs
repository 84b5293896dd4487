using System.CommandLine;
using System.Text.Json.Nodes;

namespace Berth.Cli.Repositories;

/// <summary><c>berth repo create|list|show|tags|content|delete</c>.</summary>
public static class RepositoryCommands
{
    public const string DockerBlobImporter = "docker_blob_importer";
    public const string DockerManifestImporter = "docker_manifest_importer";

    public static Command Create()
    {
        var repo = new Command("repo", "Create, list, show and delete repositories; list their tags and content");
        repo.Subcommands.Add(CreateCommand());
        repo.Subcommands.Add(ListCommand());
        repo.Subcommands.Add(ShowCommand());
        repo.Subcommands.Add(RepositoryContentCommands.Tags());
        repo.Subcommands.Add(RepositoryContentCommands.Content());
        repo.Subcommands.Add(DeleteCommand());
        return repo;
    }

    private static Command CreateCommand()
    {
        var id = new Argument<string>("id") { Description = "The repository's id (letters, digits, '-', '_', '.')" };
        var docker = new Option<bool>("--docker") { Description = "Register both docker importers, ready for images" };
        var registryName = new Option<string?>("--registry-name") { Description = "The name the registry API serves it under (default: the id)" };
        var displayName = new Option<string?>("--display-name") { Description = "A name for people" };
        var description = new Option<string?>("--description") { Description = "What the repository is for" };
        var anonymous = new Option<bool>("--anonymous-pull") { Description = "Let anyone pull from it without signing in" };
        var command = new Command("create", "Create a repository") { id, docker, registryName, displayName, description, anonymous };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var body = new JsonObject { ["id"] = parse.GetValue(id) };
            Add(body, "registry_name", parse.GetValue(registryName));
            Add(body, "display_name", parse.GetValue(displayName));
            Add(body, "description", parse.GetValue(description));
            if (parse.GetValue(anonymous))
            {
                body["anonymous_pull"] = true;
            }

            var created = await client.PostAsync("/repositories/", body, cancellationToken);
            output.Info($"created repository {created["id"]} (registry name {created["registry_name"]?.GetValue<string>() ?? "none"})");
            if (parse.GetValue(docker))
            {
                foreach (var importer in new[] { DockerBlobImporter, DockerManifestImporter })
                {
                    await client.PostAsync($"/repositories/{parse.GetValue(id)}/importers/", new JsonObject { ["importer_type_id"] = importer }, cancellationToken);
                    output.Info($"registered importer {importer}");
                }
            }
        });
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List the repositories you may pull from");
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repositories = (await client.GetAsync("/repositories/?importers=true", cancellationToken)).AsArray();
            output.Table(
                ["ID", "REGISTRY NAME", "UNITS", "IMPORTERS"],
                repositories.Select(r => (IReadOnlyList<string>)
                [
                    r!["id"]!.GetValue<string>(),
                    r["registry_name"]?.GetValue<string>() ?? "-",
                    Units(r["content_unit_counts"]!.AsObject()),
                    string.Join(",", r["importers"]?.AsArray().Select(i => i!["importer_type_id"]!.GetValue<string>()) ?? []),
                ]));
        });
        return command;
    }

    private static Command ShowCommand()
    {
        var repo = RepositoryReference.Argument();
        var command = new Command("show", "Show a repository, with its importers and unit counts, as JSON") { repo };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            output.Result((await client.GetAsync($"{repository.Path}?details=true", cancellationToken)).ToJsonString(CliJson.Indented));
        });
        return command;
    }

    private static Command DeleteCommand()
    {
        var repo = RepositoryReference.Argument();
        var command = new Command("delete", "Delete a repository (content other repositories hold stays)") { repo };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            await client.DeleteAsync(repository.Path, cancellationToken);
            output.Info($"deleted repository {repository.Id}");
        });
        return command;
    }

    private static string Units(JsonObject counts) =>
        counts.Count == 0 ? "0" : string.Join(",", counts.Select(c => $"{c.Key}={c.Value}"));

    private static void Add(JsonObject body, string name, string? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }
}
