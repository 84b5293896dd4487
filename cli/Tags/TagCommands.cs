using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Cli.Repositories;
using Berth.Cli.Uploads;
using Docker.Common;

namespace Berth.Cli.Tags;

/// <summary>
/// <c>berth tag set|history|rollback NAME --repo R</c>: a repository's tags. The tag is each subcommand's argument,
/// never the group's, so that any name (<c>history</c>, <c>rollback</c> and <c>set</c> included) can be a tag.
/// </summary>
public static class TagCommands
{
    public static Command Create()
    {
        var command = new Command("tag", "Point tags at manifests, see where a tag pointed, roll it back");
        command.Subcommands.Add(Set());
        command.Subcommands.Add(History());
        command.Subcommands.Add(Rollback());
        return command;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The tag" };

    private static Command Set()
    {
        var repo = RepositoryReference.Option();
        var name = NameArgument();
        var digest = new Argument<string>("digest") { Description = "The digest of a manifest or list the repository holds" };
        var command = new Command("set", "Point a tag at a manifest or list in a repository (moving it if it exists)") { repo, name, digest };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            await new Uploader(client, Uploader.DefaultChunkSize).ImportAsync(
                repository,
                DockerUnitTypes.Tag,
                new JsonObject { [DockerUnitTypes.Fields.Name] = parse.GetValue(name) },
                new JsonObject { [DockerUnitTypes.Fields.ManifestDigest] = parse.GetValue(digest) },
                cancellationToken);
            output.Info($"tagged {parse.GetValue(digest)} as {parse.GetValue(name)} in {repository}");
        });
        return command;
    }

    private static Command History()
    {
        var repo = RepositoryReference.Option();
        var name = NameArgument();
        var command = new Command("history", "Where a tag pointed, newest first: when, who, from which manifest to which") { repo, name };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            var tag = parse.GetValue(name)!;
            var moves = (await client.GetAsync($"{repository.Path}tags/{Uri.EscapeDataString(tag)}/history/", cancellationToken)).AsArray();
            if (moves.Count == 0)
            {
                throw new CliException(ExitCode.Refused, $"repository {repository} has no tag {tag}, and never had one");
            }

            output.Table(["WHEN", "WHO", "FROM", "TO"], moves.Select(m => (IReadOnlyList<string>)
            [
                m!["at"]!.GetValue<DateTimeOffset>().ToString("u", CultureInfo.InvariantCulture),
                m["actor"]!.GetValue<string>(),
                m["old_digest"]?.GetValue<string>() ?? "-",
                m["new_digest"]?.GetValue<string>() ?? "(removed)",
            ]));
        });
        return command;
    }

    private static Command Rollback()
    {
        var repo = RepositoryReference.Option();
        var name = NameArgument();
        var to = new Option<string?>("--to") { Description = "The digest to point it at (one from its history); default: the one before its last move" };
        var command = new Command("rollback", "Point a tag back at an earlier manifest the repository still holds") { repo, name, to };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            var body = new JsonObject { ["tag"] = parse.GetValue(name) };
            if (parse.GetValue(to) is { } digest)
            {
                body["digest"] = digest;
            }

            var result = await client.PostAsync($"{repository.Path}actions/tag_rollback/", body, cancellationToken);
            output.Result($"{parse.GetValue(name)} {result["result"]?["metadata"]?[DockerUnitTypes.Fields.ManifestDigest]}");
        });
        return command;
    }
}
