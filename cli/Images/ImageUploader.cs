using System.Diagnostics;
using System.Text.Json.Nodes;
using Berth.Cli.Connection;
using Berth.Cli.Uploads;
using Docker.Common;
using Docker.Common.Digests;

namespace Berth.Cli.Images;

/// <summary>
/// Uploads what an image folder holds, in the order that never leaves a tag pointing at something incomplete:
/// every local file is hashed first (a corrupted one stops everything before a byte is sent), blobs the repository
/// already has are skipped, the rest go in parallel, then manifests, then lists, then tags.
/// </summary>
public sealed class ImageUploader(BerthClient client, Output output, int jobs, long chunkSize)
{
    private const int SearchPage = 1000;

    public async Task<ImageUploadSummary> UploadAsync(string repository, string source, LocalImageSet image, IReadOnlyCollection<Digest> absentManifests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(absentManifests);
        var clock = Stopwatch.StartNew();
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
        output.Info($"{image.Format} {source}: {image.BlobFiles.Count} blobs ({skippedBlobs} already in {repository}), {image.Manifests.Count} manifests, {image.Tags.Count} tags");
        var uploader = new Uploader(client, chunkSize);
        var bytes = toSend.Sum(b => b.Size);
        await TransferDisplay.For(output).RunAsync($"{toSend.Count} blobs", bytes, start => Parallel.ForEachAsync(
            toSend.OrderByDescending(b => b.Size),
            new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken },
            async (blob, token) =>
            {
                using var progress = start(blob.Digest.Encoded[..12], blob.Size);
                var uploadId = await uploader.UploadAsync(blob, progress, token);
                await uploader.ImportAsync(repository, uploadId, DockerUnitTypes.Blob, Key(blob.Digest), null, token);
            }));

        var imported = 0;
        foreach (var manifest in image.Manifests.Where(m => !present.Contains(m.Digest)))
        {
            var blob = await LocalBlob.ReadAsync(manifest.Path, manifest.Digest, cancellationToken);
            var uploadId = await uploader.UploadAsync(blob, null, cancellationToken);
            await uploader.ImportAsync(repository, uploadId, manifest.IsList ? DockerUnitTypes.ManifestList : DockerUnitTypes.Manifest, Key(manifest.Digest), null, cancellationToken);
            imported++;
        }

        foreach (var (tag, digest) in image.Tags)
        {
            await uploader.ImportAsync(
                repository, null, DockerUnitTypes.Tag, new JsonObject { [DockerUnitTypes.Fields.Name] = tag }, new JsonObject { [DockerUnitTypes.Fields.ManifestDigest] = digest.ToString() }, cancellationToken);
            output.Info($"tagged {digest} as {tag}");
        }

        return new ImageUploadSummary(toSend.Count, skippedBlobs, bytes, imported, image.Tags.Count, clock.Elapsed);
    }

    private static JsonObject Key(Digest digest) => new() { [DockerUnitTypes.Fields.Digest] = digest.ToString() };

    /// <summary>The digests of the blobs, manifests and lists the repository holds.</summary>
    private async Task<HashSet<Digest>> PresentAsync(string repository, CancellationToken cancellationToken)
    {
        var present = new HashSet<Digest>();
        for (var skip = 0; ; skip += SearchPage)
        {
            var criteria = new JsonObject
            {
                ["type_ids"] = new JsonArray(DockerUnitTypes.Blob, DockerUnitTypes.Manifest, DockerUnitTypes.ManifestList),
                ["skip"] = skip,
                ["limit"] = SearchPage,
            };
            var page = (await client.PostAsync($"/repositories/{Uri.EscapeDataString(repository)}/search/units/", new JsonObject { ["criteria"] = criteria }, cancellationToken)).AsArray();
            foreach (var unit in page)
            {
                if (Digest.TryParse(unit?["unit_key"]?[DockerUnitTypes.Fields.Digest]?.GetValue<string>(), out var digest))
                {
                    present.Add(digest);
                }
            }

            if (page.Count < SearchPage)
            {
                return present;
            }
        }
    }
}
