using System.CommandLine;
using System.Text.Json.Nodes;
using Berth.Cli.Repositories;

namespace Berth.Cli.Sync;

/// <summary>
/// <c>berth remote set|show --repo R</c>: the upstream a repository syncs from, as its <c>docker_sync_importer</c>'s
/// configuration (registered on the first <c>set</c>, changed by later ones).
/// </summary>
public static class RemoteCommands
{
    public const string SyncImporter = "docker_sync_importer";

    /// <summary>Where the upstream password comes from: an environment variable, never the command line.</summary>
    public const string PasswordVariable = "BERTH_UPSTREAM_PASSWORD";

    public static Command Create()
    {
        var command = new Command("remote", "The upstream registry a repository syncs from (its docker_sync_importer)");
        command.Subcommands.Add(Set());
        command.Subcommands.Add(Show());
        return command;
    }

    private static Command Set()
    {
        var repo = RepositoryReference.Option();
        var feed = new Option<string?>("--feed") { Description = "The upstream registry's URL, such as https://registry.example.com" };
        var upstream = new Option<string?>("--upstream") { Description = "The repository upstream, such as library/alpine" };
        var include = new Option<string[]>("--include") { Description = "Sync only tags matching this pattern (* and ?; repeatable); plain tags are fetched by name" };
        var exclude = new Option<string[]>("--exclude") { Description = "Never sync tags matching this pattern (repeatable)" };
        var username = new Option<string?>("--upstream-username")
        {
            Description = $"Sign in upstream as this user; the password is read from the environment variable {PasswordVariable}",
        };
        var insecure = new Option<bool>("--insecure-skip-tls-verify") { Description = "Accept any certificate from the upstream (a test registry only)" };
        var caCert = new Option<FileInfo?>("--ca-cert") { Description = "A PEM file of certificates to trust for the upstream" };
        var downloads = new Option<int?>("--max-downloads") { Description = "How many images to fetch at once (1 to 32)" };
        var referrers = new Option<bool?>("--referrers") { Description = "true: signatures, SBOMs and attestations of synced images come too" };
        var mirror = new Option<bool?>("--mirror")
        {
            Description = "true: tags upstream dropped (of those --include selects) go here too, with what only they named; false (the default): syncs only add",
        };
        var platform = new Option<string[]>("--platform")
        {
            Description = "Of a list, sync only this platform's manifests, as os/architecture[/variant] (repeatable); the list gets a digest of its own",
        };
        var onDemand = new Option<bool?>("--on-demand") { Description = "true: the repository is also a pull-through cache: a pull of what it lacks is fetched from the feed" };
        var tagRefresh = new Option<int?>("--tag-refresh") { Description = "With --on-demand: seconds a tag fetched is served before the feed is asked again (0: every pull)" };
        var allowPush = new Option<bool?>("--allow-push") { Description = "With --on-demand: true lets clients push into the cache too" };
        var command = new Command("set", "Set where the repository syncs from; keys not given keep their values")
        {
            repo, feed, upstream, include, exclude, platform, username, insecure, caCert, downloads, mirror, referrers, onDemand, tagRefresh, allowPush,
        };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            var config = new JsonObject();
            if (parse.GetValue(feed) is { } url)
            {
                config["feed"] = url;
            }

            if (parse.GetValue(upstream) is { } name)
            {
                config["upstream_name"] = name;
            }

            var (included, excluded) = (parse.GetValue(include) ?? [], parse.GetValue(exclude) ?? []);
            if (included.Length > 0 || excluded.Length > 0)
            {
                config["tags"] = new JsonObject
                {
                    ["include"] = new JsonArray([.. included.Select(p => JsonValue.Create(p))]),
                    ["exclude"] = new JsonArray([.. excluded.Select(p => JsonValue.Create(p))]),
                };
            }

            if (parse.GetValue(platform) is { Length: > 0 } platforms)
            {
                config["platforms"] = new JsonArray([.. platforms.Select(p => JsonValue.Create(p))]);
            }

            if (parse.GetValue(onDemand) is { } cache)
            {
                config["on_demand"] = cache;
            }

            if (parse.GetValue(tagRefresh) is { } seconds)
            {
                config["tag_refresh_seconds"] = seconds;
            }

            if (parse.GetValue(allowPush) is { } pushes)
            {
                config["allow_push"] = pushes;
            }

            if (parse.GetValue(username) is { } user)
            {
                config["username"] = user;
                config["password"] = Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } password
                    ? password
                    : throw CliException.Usage($"--upstream-username needs the password in the environment variable {PasswordVariable}");
            }

            if (parse.GetValue(insecure))
            {
                config["tls_verify"] = false;
            }

            if (parse.GetValue(caCert) is { } file)
            {
                config["ca_cert"] = file.Exists ? await File.ReadAllTextAsync(file.FullName, cancellationToken) : throw CliException.Usage($"--ca-cert: {file.FullName} does not exist");
            }

            if (parse.GetValue(referrers) is { } withReferrers)
            {
                config["referrers"] = withReferrers;
            }

            if (parse.GetValue(mirror) is { } mirrors)
            {
                config["mirror"] = mirrors;
            }

            if (parse.GetValue(downloads) is { } count)
            {
                config["max_concurrent_downloads"] = count;
            }

            var path = $"/repositories/{Uri.EscapeDataString(repository.Id)}/importers/";
            var registered = await client.FindAsync($"{path}{SyncImporter}/", cancellationToken);
            var shown = registered is null
                ? await client.PostAsync(path, new JsonObject { ["importer_type_id"] = SyncImporter, ["importer_config"] = config }, cancellationToken)
                : (await client.PutAsync($"{path}{SyncImporter}/", new JsonObject { ["importer_config"] = config }, cancellationToken))["result"]!;
            Describe(shown["config"]!.AsObject(), output);
            output.Info($"sync it: berth sync {repository.Id}");
        });
        return command;
    }

    private static Command Show()
    {
        var repo = RepositoryReference.Option();
        var command = new Command("show", "Show where the repository syncs from (passwords are never shown)") { repo };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            var registered = await client.FindAsync($"/repositories/{Uri.EscapeDataString(repository.Id)}/importers/{SyncImporter}/", cancellationToken)
                ?? throw new CliException(ExitCode.Refused, $"repository {repository.Id} syncs from nowhere: berth remote set --repo {repository.Id} --feed URL --upstream NAME");
            Describe(registered["config"]!.AsObject(), output);
        });
        return command;
    }

    private static void Describe(JsonObject config, Output output)
    {
        foreach (var (key, value) in config)
        {
            output.Result($"{key}: {(value is JsonValue ? value.ToString() : value?.ToJsonString())}");
        }
    }
}
