using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Cli.Uploads;

namespace Berth.Cli.Lifecycle;

/// <summary>
/// <c>berth orphans list|collect [--type T] [--older-than AGE]</c> and <c>berth orphans remove --type T ID...</c>: content in
/// no repository, its collection, and the removal of named orphans (administrators).
/// </summary>
public static class OrphanCommands
{
    public static Command Create()
    {
        var command = new Command("orphans", "Content that is in no repository: list it, or collect it to free the disk (administrators)");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Collect());
        command.Subcommands.Add(Remove());
        return command;
    }

    private static Option<string?> TypeOption() => new("--type") { Description = "Only units of this type (docker_blob, docker_manifest, ...)" };

    private static Command List()
    {
        var type = TypeOption();
        var command = new Command("list", "List the units in no repository") { type };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            // The server lists orphans by type (Pulp 2's shape): without --type, each type that has some.
            var units = new List<JsonNode?>();
            var types = parse.GetValue(type) is { } one
                ? [one]
                : (await client.GetAsync(Path(null), cancellationToken)).AsObject().Where(t => t.Value?["count"]?.GetValue<long>() > 0).Select(t => t.Key).ToList();
            foreach (var typeId in types)
            {
                units.AddRange((await client.GetAsync(Path(typeId), cancellationToken)).AsArray());
            }

            output.Table(
                ["TYPE", "UNIT", "ID"],
                units.Select(u => (IReadOnlyList<string>)[
                    u!["unit_type_id"]!.GetValue<string>(),
                    (u["unit_key"]?["digest"] ?? u["unit_key"]?["name"])?.GetValue<string>() ?? string.Empty,
                    u["unit_id"]!.GetValue<string>()]));
            output.Info(Quantity.Of(units.Count, "orphan"));
        });
        return command;
    }

    private static Command Collect()
    {
        var type = TypeOption();
        var olderThan = new Option<string?>("--older-than")
        {
            Description = $"Collect what has been an orphan for longer than this ({Durations.Forms}; 0s for everything) instead of the server's grace " +
                          "period, which protects content a client saw a moment ago; imports under way stay protected",
        };
        var command = new Command(
            "collect",
            "Delete the units in no repository and the files no unit names; pushes and pulls go on meanwhile, and units orphaned within the server's grace period stay")
        { type, olderThan };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var age = parse.GetValue(olderThan) is { } text ? Durations.ParseSeconds(text) : (long?)null;
            output.Info("collecting orphans...");
            var path = Path(parse.GetValue(type)) + (age is { } seconds ? string.Create(CultureInfo.InvariantCulture, $"?older_than_seconds={seconds}") : string.Empty);
            var report = (await client.DeleteAsync(path, cancellationToken))["result"]!;
            Print(output, report);
            if (report["skipped_in_grace_period"]!.GetValue<long>() > 0 && age is null)
            {
                output.Info("to collect them now, when no client may still be using them: berth orphans collect --older-than 0s");
            }
        });
        return command;
    }

    private static Command Remove()
    {
        var type = new Option<string>("--type") { Description = "The unit type of the orphans named (docker_blob, docker_manifest, ...)", Required = true };
        var ids = new Argument<string[]>("id") { Description = "Unit ids, as berth orphans list shows them", Arity = ArgumentArity.OneOrMore };
        var command = new Command(
            "remove", "Delete the named units, if they are in no repository, whatever their age, and the files no other unit names; imports under way stay protected")
        { type, ids };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var typeId = parse.GetValue(type)!;
            var named = new JsonArray([.. parse.GetValue(ids)!.Select(id => (JsonNode)new JsonObject { ["content_type_id"] = typeId, ["unit_id"] = id })]);
            var report = (await client.PostAsync("/content/actions/delete_orphans/", named, cancellationToken))["result"]!;
            Print(output, report);
            var missed = named.Count - report["units_removed_total"]!.GetValue<long>() - report["skipped_in_use"]!.GetValue<long>();
            if (missed > 0)
            {
                output.Info($"{Quantity.Of(missed, "named unit")} not removed: not an orphan of type {typeId} (in a repository, or not there)");
            }
        });
        return command;
    }

    private static void Print(Output output, JsonNode report)
    {
        foreach (var (typeId, count) in report["units_removed"]!.AsObject())
        {
            output.Result($"removed {count} {typeId}");
        }

        output.Result(string.Create(
            CultureInfo.InvariantCulture,
            $"{Quantity.Of(report["units_removed_total"]!.GetValue<long>(), "unit")} and {Quantity.Of(report["content_files_removed"]!.GetValue<long>(), "file")} removed, {TransferProgress.Size(report["bytes_freed"]!.GetValue<long>())} freed in {report["seconds"]!.GetValue<double>():F1} s"));
        var young = report["skipped_in_grace_period"]!.GetValue<long>();
        var inUse = report["skipped_in_use"]!.GetValue<long>();
        if (young + inUse > 0)
        {
            output.Result($"left for later: {young} orphaned less than {report["grace_period_seconds"]} s ago, {inUse} in use by an import under way");
        }
    }

    private static string Path(string? type) => type is null ? "/content/orphans/" : $"/content/orphans/{Uri.EscapeDataString(type)}/";
}
