using System.Diagnostics;
using System.Text.Json.Nodes;
using Berth.Cli.Connection;
using Berth.Cli.Importers;
using Berth.Cli.Repositories;
using Berth.Cli.Uploads;
using Docker.Common;
using Docker.Common.Digests;

namespace Berth.Cli.Images;

/// <summary>
/// Uploads what an image folder holds, in the order that never leaves a tag pointing at something incomplete:
/// before a byte is sent, the repository's importers are checked and every local file is hashed (a corrupted one
/// stops everything); blobs the repository already has are skipped, the rest go in parallel, then manifests, then
/// lists, then tags.
/// </summary>
public sealed class ImageUploader(BerthClient client, Output output, int jobs, long chunkSize)
{
    public async Task<ImageUploadSummary> UploadAsync(KnownRepository repository, string source, LocalImageSet image, IReadOnlyCollection<Digest> absentManifests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(absentManifests);
        var clock = Stopwatch.StartNew();
        await ImporterCoverage.RequireAsync(client, repository, UnitTypes(image), cancellationToken);
        var present = await PresentAsync(repository, cancellationToken);
        foreach (var missing in absentManifests.Where(d => !present.Contains(d)))
        {
            throw CliException.Usage(
                $"{source} holds a list naming {missing}, which is neither in it nor in repository {repository}: copy every platform (skopeo copy --all)");
        }

        var toSend = new List<LocalBlob>();
        foreach (var (digest, path) in image.BlobFiles.OrderBy(b => b.Value, StringComparer.Ordinal))
        {
            if (!File.Exists(path))
            {
                if (present.Contains(digest))
                {
                    continue;
                }

                throw CliException.Usage($"{source} lacks blob {digest} ({path}), and repository {repository} does not hold it either; nothing was uploaded");
            }

            var blob = await LocalBlob.ReadAsync(path, digest, cancellationToken);
            if (!present.Contains(digest))
            {
                toSend.Add(blob);
            }
        }

        foreach (var manifest in image.Manifests)
        {
            await LocalBlob.ReadAsync(manifest.Path, manifest.Digest, cancellationToken);
        }

        foreach (var skipped in image.Skipped)
        {
            output.Info($"skipped {skipped}");
        }

        var skippedBlobs = image.BlobFiles.Count - toSend.Count;
        output.Info(
            $"{image.Format} {source}: {Quantity.Of(image.BlobFiles.Count, "blob")} ({skippedBlobs} already in {repository}), " +
            $"{Quantity.Of(image.Manifests.Count, "manifest")}, {Quantity.Of(image.Tags.Count, "tag")}");
        var uploader = new Uploader(client, chunkSize);
        var bytes = toSend.Sum(b => b.Size);
        await TransferDisplay.For(output).RunAsync(toSend.Count, bytes, start => Parallel.ForEachAsync(
            toSend.OrderByDescending(b => b.Size),
            new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken },
            async (blob, token) =>
            {
                using var progress = start(blob.Digest.Encoded[..12], blob.Size);
                await uploader.UploadAndImportAsync(repository, blob, DockerUnitTypes.Blob, Key(blob.Digest), null, progress, token);
            }));

        var imported = 0;
        foreach (var manifest in image.Manifests.Where(m => !present.Contains(m.Digest)))
        {
            var blob = await LocalBlob.ReadAsync(manifest.Path, manifest.Digest, cancellationToken);
            await uploader.UploadAndImportAsync(repository, blob, ManifestType(manifest), Key(manifest.Digest), null, null, cancellationToken);
            imported++;
        }

        foreach (var (tag, digest) in image.Tags)
        {
            await uploader.ImportAsync(
                repository, DockerUnitTypes.Tag, new JsonObject { [DockerUnitTypes.Fields.Name] = tag }, new JsonObject { [DockerUnitTypes.Fields.ManifestDigest] = digest.ToString() }, cancellationToken);
            output.Info($"tagged {digest} as {tag}");
        }

        return new ImageUploadSummary(toSend.Count, skippedBlobs, bytes, imported, image.Tags.Count, clock.Elapsed);
    }

    private static JsonObject Key(Digest digest) => new() { [DockerUnitTypes.Fields.Digest] = digest.ToString() };

    private static string ManifestType(LocalManifest manifest) => manifest.IsList ? DockerUnitTypes.ManifestList : DockerUnitTypes.Manifest;

    /// <summary>The unit types the image's upload imports.</summary>
    private static IEnumerable<string> UnitTypes(LocalImageSet image) =>
        new[] { DockerUnitTypes.Blob }
            .Concat(image.Manifests.Select(ManifestType))
            .Concat(image.Tags.Count > 0 ? [DockerUnitTypes.Tag] : []);

    /// <summary>The digests of the blobs, manifests and lists the repository holds.</summary>
    private async Task<HashSet<Digest>> PresentAsync(KnownRepository repository, CancellationToken cancellationToken)
    {
        var present = new HashSet<Digest>();
        await foreach (var unit in UnitSearch.UnitsAsync(
            client, repository, [DockerUnitTypes.Blob, DockerUnitTypes.Manifest, DockerUnitTypes.ManifestList], null, cancellationToken))
        {
            if (Digest.TryParse(unit["unit_key"]?[DockerUnitTypes.Fields.Digest]?.GetValue<string>(), out var digest))
            {
                present.Add(digest);
            }
        }

        return present;
    }
}
