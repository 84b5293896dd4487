using System.CommandLine;
using System.Text.Json.Nodes;
using Berth.Cli.Importers;
using Docker.Common;
using Docker.Common.Manifests;

namespace Berth.Cli.Uploads;

/// <summary><c>berth upload blob|manifest</c> and <c>berth tag</c>: single units through the content API.</summary>
public static class UploadCommands
{
    public static Option<long> ChunkSizeOption() => new("--chunk-size")
    {
        Description = "Bytes per upload segment; a dropped connection resends at most one",
        DefaultValueFactory = _ => Uploader.DefaultChunkSize,
        Validators = { result => { if (result.GetValueOrDefault<long>() < 1) { result.AddError("--chunk-size must be at least 1"); } } },
    };

    public static Command Create()
    {
        var upload = new Command("upload", "Upload blobs, manifests and whole images");
        upload.Subcommands.Add(BlobCommand());
        upload.Subcommands.Add(ManifestCommand());
        upload.Subcommands.Add(Images.ImageCommands.UploadImage());
        return upload;
    }

    public static Command TagCommand()
    {
        var repo = ImporterCommands.RepositoryOption();
        var name = new Argument<string>("name") { Description = "The tag" };
        var digest = new Argument<string>("digest") { Description = "The digest of a manifest or list the repository holds" };
        var command = new Command("tag", "Point a tag at a manifest in a repository") { repo, name, digest };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            await new Uploader(client, Uploader.DefaultChunkSize).ImportAsync(
                parse.GetValue(repo)!,
                null,
                DockerUnitTypes.Tag,
                new JsonObject { [DockerUnitTypes.Fields.Name] = parse.GetValue(name) },
                new JsonObject { [DockerUnitTypes.Fields.ManifestDigest] = parse.GetValue(digest) },
                cancellationToken);
            output.Info($"tagged {parse.GetValue(digest)} as {parse.GetValue(name)} in {parse.GetValue(repo)}");
        });
        command.Subcommands.Add(TagHistoryCommand());
        command.Subcommands.Add(TagRollbackCommand());
        return command;
    }

    private static Command TagHistoryCommand()
    {
        var repo = ImporterCommands.RepositoryOption();
        var name = new Argument<string>("name") { Description = "The tag" };
        var command = new Command("history", "Where a tag pointed, newest first: when, who, from which manifest to which") { repo, name };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var moves = (await client.GetAsync(
                $"/repositories/{Uri.EscapeDataString(parse.GetValue(repo)!)}/tags/{Uri.EscapeDataString(parse.GetValue(name)!)}/history/", cancellationToken)).AsArray();
            output.Table(["WHEN", "WHO", "FROM", "TO"], moves.Select(m => (IReadOnlyList<string>)
            [
                m!["at"]!.GetValue<DateTimeOffset>().ToString("u", System.Globalization.CultureInfo.InvariantCulture),
                m["actor"]!.GetValue<string>(),
                m["old_digest"]?.GetValue<string>() ?? "-",
                m["new_digest"]?.GetValue<string>() ?? "(removed)",
            ]));
        });
        return command;
    }

    private static Command TagRollbackCommand()
    {
        var repo = ImporterCommands.RepositoryOption();
        var name = new Argument<string>("name") { Description = "The tag" };
        var to = new Option<string?>("--to") { Description = "The digest to point it at (one from its history); default: the one before its last move" };
        var command = new Command("rollback", "Point a tag back at an earlier manifest the repository still holds") { repo, name, to };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var body = new JsonObject { ["tag"] = parse.GetValue(name) };
            if (parse.GetValue(to) is { } digest)
            {
                body["digest"] = digest;
            }

            var result = await client.PostAsync($"/repositories/{Uri.EscapeDataString(parse.GetValue(repo)!)}/actions/tag_rollback/", body, cancellationToken);
            output.Result($"{parse.GetValue(name)} {result["result"]?["metadata"]?[DockerUnitTypes.Fields.ManifestDigest]}");
        });
        return command;
    }

    private static Command BlobCommand()
    {
        var repo = ImporterCommands.RepositoryOption();
        var file = new Argument<FileInfo>("file") { Description = "The blob: a layer, a config, any bytes" };
        var chunkSize = ChunkSizeOption();
        var command = new Command("blob", "Upload a file as a docker_blob; prints its digest") { repo, file, chunkSize };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var blob = await LocalBlob.ReadAsync(parse.GetValue(file)!.FullName, null, cancellationToken);
            var uploader = new Uploader(client, parse.GetValue(chunkSize));
            using var progress = TransferProgress.Start(output, $"blob {blob.Digest.Encoded[..12]}", blob.Size);
            var uploadId = await uploader.UploadAsync(blob, progress, cancellationToken);
            await uploader.ImportAsync(parse.GetValue(repo)!, uploadId, DockerUnitTypes.Blob, new JsonObject { [DockerUnitTypes.Fields.Digest] = blob.Digest.ToString() }, null, cancellationToken);
            progress.Done();
            output.Result(blob.Digest.ToString());
        });
        return command;
    }

    private static Command ManifestCommand()
    {
        var repo = ImporterCommands.RepositoryOption();
        var file = new Argument<FileInfo>("file") { Description = "The manifest, list or index, exactly as it is to be served" };
        var tag = new Option<string?>("--tag", "-t") { Description = "Also point this tag at it" };
        var command = new Command("manifest", "Upload a manifest (docker_manifest) or list/index (docker_manifest_list); prints its digest") { repo, file, tag };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var blob = await LocalBlob.ReadAsync(parse.GetValue(file)!.FullName, null, cancellationToken);
            var type = await ManifestTypeAsync(blob.Path, cancellationToken);
            var uploader = new Uploader(client, Uploader.DefaultChunkSize);
            var uploadId = await uploader.UploadAsync(blob, null, cancellationToken);
            var metadata = parse.GetValue(tag) is { } name ? new JsonObject { [DockerUnitTypes.Fields.Tag] = name } : null;
            await uploader.ImportAsync(parse.GetValue(repo)!, uploadId, type, new JsonObject { [DockerUnitTypes.Fields.Digest] = blob.Digest.ToString() }, metadata, cancellationToken);
            output.Result(blob.Digest.ToString());
        });
        return command;
    }

    /// <summary>The unit type of a manifest document, from its own content; a document that is not one is refused here.</summary>
    internal static async Task<string> ManifestTypeAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return ManifestParser.Parse(await File.ReadAllBytesAsync(path, cancellationToken)) is ImageIndex
                ? DockerUnitTypes.ManifestList
                : DockerUnitTypes.Manifest;
        }
        catch (ManifestInvalidException e)
        {
            throw CliException.Usage($"{path} is not a manifest: {string.Join("; ", e.Problems)}");
        }
    }
}
