using System.CommandLine;
using System.Text.Json.Nodes;
using Berth.Cli.Repositories;

namespace Berth.Cli.Promotion;

/// <summary><c>berth remove --repo R --tag T | --digest D</c>: take content out of a repository (it stays for others).</summary>
public static class RemoveCommand
{
    private static readonly string[] TagTypes = ["docker_tag"];
    private static readonly string[] DigestTypes = ["docker_manifest", "docker_manifest_list", "docker_blob"];

    public static Command Create()
    {
        var repo = RepositoryReference.Option();
        var tags = new Option<string[]>("--tag", "-t") { Description = "A tag to remove (its manifest stays; repeatable)" };
        var digests = new Option<string[]>("--digest") { Description = "A manifest, list or blob to remove; a manifest's tags here go with it (repeatable)" };
        var command = new Command("remove", "Remove tags, manifests or blobs from a repository; content still needed by what stays is refused") { repo, tags, digests };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var tagNames = parse.GetValue(tags) ?? [];
            var digestValues = parse.GetValue(digests) ?? [];
            if (tagNames.Length + digestValues.Length == 0)
            {
                throw CliException.Usage("say what to remove: --tag NAME or --digest sha256:...");
            }

            var criteria = tagNames.Length > 0 && digestValues.Length == 0
                ? PromoteCommand.Criteria(TagTypes, "name", tagNames)
                : digestValues.Length > 0 && tagNames.Length == 0
                    ? PromoteCommand.Criteria(DigestTypes, "digest", digestValues)
                    : throw CliException.Usage("remove tags or digests, one kind per command");
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            var result = await client.PostAsync($"{repository.Path}actions/unassociate/", new JsonObject { ["criteria"] = criteria }, cancellationToken);
            var units = result["result"]?["units_successful"]?.AsArray() ?? [];
            foreach (var unit in units)
            {
                output.Info($"removed {unit!["unit_type_id"]} {unit["unit_key"]?["name"] ?? unit["unit_key"]?["digest"]}");
            }

            if (units.Count == 0)
            {
                throw new CliException(ExitCode.Refused, $"{repository} holds nothing matching {string.Join(", ", tagNames.Concat(digestValues))}");
            }
        });
        return command;
    }
}
