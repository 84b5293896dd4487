using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Cli.Uploads;
using Docker.Common;

namespace Berth.Cli.Repositories;

/// <summary>
/// <c>berth repo tags R</c> and <c>berth repo content R</c>: what a repository holds, as a table, or as the content
/// API's units with <c>--json</c>; every page of it unless <c>--limit</c> says otherwise.
/// </summary>
public static class RepositoryContentCommands
{
    public static Command Tags()
    {
        var repo = RepositoryReference.Argument();
        var (limit, json) = (LimitOption(), JsonOption());
        var command = new Command("tags", "List a repository's tags and the manifests they point at, in the order they were set") { repo, limit, json };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            var units = await ReadAsync(client, repository, [DockerUnitTypes.Tag], parse.GetValue(limit), cancellationToken);
            Write(output, units, parse.GetValue(json), ["TAG", "MANIFEST", "UPDATED"], u =>
            [
                Text(u["unit_key"]?[DockerUnitTypes.Fields.Name]),
                Text(u["metadata"]?[DockerUnitTypes.Fields.ManifestDigest]),
                When(u["updated"] ?? u["created"]),
            ]);
        });
        return command;
    }

    public static Command Content()
    {
        var repo = RepositoryReference.Argument();
        var types = new Option<string[]>("--type") { Description = "Only units of this type (docker_blob, docker_manifest, docker_manifest_list, docker_tag; repeatable)" };
        var (limit, json) = (LimitOption(), JsonOption());
        var command = new Command("content", "List the units a repository holds (blobs, manifests, lists, tags), in the order they joined it") { repo, types, limit, json };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            var units = await ReadAsync(client, repository, parse.GetValue(types) ?? [], parse.GetValue(limit), cancellationToken);
            Write(output, units, parse.GetValue(json), ["TYPE", "UNIT", "DETAIL", "ADDED"], u =>
            [
                Text(u["unit_type_id"]),
                Text(u["unit_key"]?[DockerUnitTypes.Fields.Digest] ?? u["unit_key"]?[DockerUnitTypes.Fields.Name]),
                Detail(u["metadata"]),
                When(u["created"]),
            ]);
        });
        return command;
    }

    private static Option<int?> LimitOption() => new("--limit")
    {
        Description = "List at most this many",
        Validators = { r => { if (r.GetValueOrDefault<int?>() < 1) { r.AddError("--limit must be at least 1"); } } },
    };

    private static Option<bool> JsonOption() => new("--json") { Description = "Print the units as the content API shows them, as JSON" };

    private static async Task<List<JsonObject>> ReadAsync(
        Connection.BerthClient client, KnownRepository repository, IReadOnlyCollection<string> types, int? limit, CancellationToken cancellationToken)
    {
        var units = new List<JsonObject>();
        await foreach (var unit in UnitSearch.UnitsAsync(client, repository, types, limit, cancellationToken))
        {
            units.Add(unit);
        }

        return units;
    }

    private static void Write(Output output, List<JsonObject> units, bool json, IReadOnlyList<string> header, Func<JsonObject, IReadOnlyList<string>> row)
    {
        if (json)
        {
            output.Result(new JsonArray([.. units.Select(u => u.DeepClone())]).ToJsonString(CliJson.Indented));
        }
        else
        {
            output.Table(header, units.Select(row));
        }
    }

    /// <summary>What tells units of one type apart at a glance: a tag's manifest, a manifest's media type, a blob's size.</summary>
    private static string Detail(JsonNode? metadata) =>
        metadata?[DockerUnitTypes.Fields.ManifestDigest] is { } target ? "-> " + Text(target)
        : metadata?[DockerUnitTypes.Fields.MediaType] is { } mediaType ? Text(mediaType)
        : metadata?[DockerUnitTypes.Fields.Size] is JsonValue size && size.TryGetValue<long>(out var bytes) ? TransferProgress.Size(bytes)
        : "-";

    private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : "-";

    private static string When(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<DateTimeOffset>(out var at) ? at.ToString("u", CultureInfo.InvariantCulture) : "-";
}
