using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Cli.Repositories;

namespace Berth.Cli.Lifecycle;

/// <summary><c>berth retention show|set|clear|apply --repo R</c>: a repository's retention policy.</summary>
public static class RetentionCommands
{
    public static Command Create()
    {
        var command = new Command("retention", "A repository's retention policy: which tags and untagged manifests it keeps");
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Set());
        command.Subcommands.Add(Clear());
        command.Subcommands.Add(Apply());
        return command;
    }

    private static Command Show()
    {
        var repo = RepositoryReference.Option();
        var command = new Command("show", "Show the policy") { repo };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            var policy = await client.GetAsync(PolicyPath(repository), cancellationToken);
            Describe(policy, output);
        });
        return command;
    }

    private static Command Set()
    {
        var repo = RepositoryReference.Option();
        var keep = new Option<string[]>("--keep")
        {
            Description = "PATTERN=N: of the tags matching PATTERN (* and ? wildcards), keep the N most recently pushed (repeatable; the first matching rule applies)",
        };
        var untagged = new Option<string?>("--untagged-older-than") { Description = "Remove untagged manifests older than this (90s, 30m, 12h, 7d, 2w)" };
        var command = new Command("set", "Set the policy (replacing the one in place); tags no rule matches are kept") { repo, keep, untagged };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var rules = new JsonArray();
            foreach (var rule in parse.GetValue(keep) ?? [])
            {
                var separator = rule.LastIndexOf('=');
                if (separator <= 0 || !int.TryParse(rule[(separator + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    throw CliException.Usage($"--keep '{rule}': write PATTERN=N, as in --keep 'v*=10'");
                }

                rules.Add(new JsonObject { ["pattern"] = rule[..separator], ["keep"] = count });
            }

            var body = new JsonObject { ["tags"] = rules };
            if (parse.GetValue(untagged) is { } age)
            {
                body["untagged_older_than_seconds"] = Durations.ParseSeconds(age);
            }

            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            Describe(await client.PutAsync(PolicyPath(repository), body, cancellationToken), output);
        });
        return command;
    }

    private static Command Clear()
    {
        var repo = RepositoryReference.Option();
        var command = new Command("clear", "Remove the policy: the repository keeps everything") { repo };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            await client.DeleteAsync(PolicyPath(repository), cancellationToken);
            output.Info($"{repository} has no retention policy now");
        });
        return command;
    }

    private static Command Apply()
    {
        var repo = RepositoryReference.Option();
        var dryRun = new Option<bool>("--dry-run") { Description = "Only list what would be removed" };
        var command = new Command("apply", "Apply the policy now (the server also applies it on its schedule)") { repo, dryRun };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var dry = parse.GetValue(dryRun);
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            var result = await client.PostAsync($"{repository.Path}actions/apply_retention/", new JsonObject { ["dry_run"] = dry }, cancellationToken);
            var units = result["result"]!["units_removed"]!.AsArray();
            foreach (var unit in units)
            {
                output.Result($"{(dry ? "would remove" : "removed")} {unit!["unit_type_id"]} {unit["unit_key"]?["name"] ?? unit["unit_key"]?["digest"]}");
            }

            output.Info($"{Quantity.Of(units.Count, "unit")} {(dry ? "would be" : units.Count == 1 ? "was" : "were")} removed");
        });
        return command;
    }

    private static string PolicyPath(KnownRepository repository) => $"{repository.Path}retention/";

    private static void Describe(JsonNode policy, Output output)
    {
        foreach (var rule in policy["tags"]?.AsArray() ?? [])
        {
            output.Result($"keep the {Quantity.Of(rule!["keep"]!.GetValue<long>(), "newest tag")} matching {rule["pattern"]}");
        }

        output.Result(policy["untagged_older_than_seconds"] is { } seconds
            ? $"remove untagged manifests older than {seconds} s"
            : "keep untagged manifests");
    }
}
