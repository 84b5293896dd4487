using System.CommandLine;
using System.Text.Json.Nodes;
using Berth.Cli.Repositories;

namespace Berth.Cli.Promotion;

/// <summary><c>berth promote --from R --to S --tag T</c>: share a tagged image (and all it needs) with another repository.</summary>
public static class PromoteCommand
{
    private static readonly string[] TagTypes = ["docker_tag"];
    private static readonly string[] ManifestTypes = ["docker_manifest", "docker_manifest_list"];

    /// <summary>Pulp 2's criteria: units of these types whose field is one of these values.</summary>
    public static JsonObject Criteria(IEnumerable<string> types, string field, IEnumerable<string> values) => new()
    {
        ["type_ids"] = new JsonArray([.. types.Select(t => JsonValue.Create(t))]),
        ["filters"] = new JsonObject { ["unit"] = new JsonObject { [field] = new JsonObject { ["$in"] = new JsonArray([.. values.Select(v => JsonValue.Create(v))]) } } },
    };

    public static Command Create()
    {
        var from = RepositoryReference.Option("--from", "The repository the image is in");
        var to = RepositoryReference.Option("--to", "The repository to promote it to (it needs the docker importers)");
        var tags = new Option<string[]>("--tag", "-t") { Description = "A tag to promote, with its manifest or list and their blobs (repeatable)", AllowMultipleArgumentsPerToken = true };
        var digests = new Option<string[]>("--digest") { Description = "A manifest or list to promote by digest, without tags (repeatable)" };
        var referrers = new Option<bool>("--with-referrers") { Description = "Bring the signatures, SBOMs and other referrers of what is promoted too" };
        var command = new Command("promote", "Promote images between repositories: units are shared, no byte is copied") { from, to, tags, digests, referrers };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var tagNames = parse.GetValue(tags) ?? [];
            var digestValues = parse.GetValue(digests) ?? [];
            if (tagNames.Length + digestValues.Length == 0)
            {
                throw CliException.Usage("say what to promote: --tag NAME or --digest sha256:...");
            }

            var source = await RepositoryFinder.FindAsync(client, parse.GetValue(from)!, cancellationToken);
            var destination = await RepositoryFinder.FindAsync(client, parse.GetValue(to)!, cancellationToken);
            var total = 0;
            foreach (var (types, field, values) in new[] { (TagTypes, "name", tagNames), (ManifestTypes, "digest", digestValues) })
            {
                if (values.Length == 0)
                {
                    continue;
                }

                var criteria = Criteria(types, field, values);
                var result = await client.PostAsync(
                    $"{destination.Path}actions/associate/",
                    new JsonObject
                    {
                        ["source_repo_id"] = source.Id,
                        ["criteria"] = criteria,
                        ["override_config"] = new JsonObject { ["referrers"] = parse.GetValue(referrers) },
                    },
                    cancellationToken);
                var units = result["result"]?["units_successful"]?.AsArray() ?? [];
                total += units.Count;
                foreach (var unit in units.Where(u => u?["unit_type_id"]?.GetValue<string>() == "docker_tag"))
                {
                    output.Info($"promoted tag {unit!["unit_key"]?["name"]} to {destination}");
                }

                if (units.Count == 0)
                {
                    throw new CliException(ExitCode.Refused, $"{source} has no {string.Join(" or ", types)} matching {string.Join(", ", values)}");
                }
            }

            output.Info($"promoted {Quantity.Of(total, "unit")} from {source} to {destination}; no content was copied");
        });
        return command;
    }
}
