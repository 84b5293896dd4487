using System.CommandLine;
using System.Text.Json.Nodes;
using Berth.Cli.Importers;
using Berth.Cli.Repositories;
using Docker.Common;
using Docker.Common.Manifests;

namespace Berth.Cli.Uploads;

/// <summary>
/// <c>berth upload blob|manifest</c>: single units through the content API. The repository is found, and its importers
/// checked, before a byte is sent.
/// </summary>
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

    private static Command BlobCommand()
    {
        var repo = RepositoryReference.Option();
        var file = new Argument<FileInfo>("file") { Description = "The blob: a layer, a config, any bytes" };
        var chunkSize = ChunkSizeOption();
        var command = new Command("blob", "Upload a file as a docker_blob; prints its digest") { repo, file, chunkSize };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            LocalBlob.RequireFile(parse.GetValue(file)!.FullName);
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            await ImporterCoverage.RequireAsync(client, repository, [DockerUnitTypes.Blob], cancellationToken);
            var blob = await LocalBlob.ReadAsync(parse.GetValue(file)!.FullName, null, cancellationToken);
            using var progress = TransferProgress.Start(output, $"blob {blob.Digest.Encoded[..12]}", blob.Size);
            await new Uploader(client, parse.GetValue(chunkSize)).UploadAndImportAsync(
                repository, blob, DockerUnitTypes.Blob, new JsonObject { [DockerUnitTypes.Fields.Digest] = blob.Digest.ToString() }, null, progress, cancellationToken);
            progress.Done();
            output.Result(blob.Digest.ToString());
        });
        return command;
    }

    private static Command ManifestCommand()
    {
        var repo = RepositoryReference.Option();
        var file = new Argument<FileInfo>("file") { Description = "The manifest, list or index, exactly as it is to be served" };
        var tag = new Option<string?>("--tag", "-t") { Description = "Also point this tag at it" };
        var command = new Command("manifest", "Upload a manifest (docker_manifest) or list/index (docker_manifest_list); prints its digest") { repo, file, tag };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var blob = await LocalBlob.ReadAsync(parse.GetValue(file)!.FullName, null, cancellationToken);
            var type = await ManifestTypeAsync(blob.Path, cancellationToken);
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            var metadata = parse.GetValue(tag) is { } name ? new JsonObject { [DockerUnitTypes.Fields.Tag] = name } : null;
            await ImporterCoverage.RequireAsync(client, repository, metadata is null ? [type] : [type, DockerUnitTypes.Tag], cancellationToken);
            await new Uploader(client, Uploader.DefaultChunkSize).UploadAndImportAsync(
                repository, blob, type, new JsonObject { [DockerUnitTypes.Fields.Digest] = blob.Digest.ToString() }, metadata, null, cancellationToken);
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
