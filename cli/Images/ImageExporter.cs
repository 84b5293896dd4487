using System.Diagnostics;
using Berth.Cli.Connection;
using Berth.Cli.Repositories;
using Berth.Cli.Uploads;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;

namespace Berth.Cli.Images;

/// <summary>
/// Writes an image of a repository back to disk, as a skopeo dir: folder or into an OCI layout, byte for byte as the
/// server holds it: what <c>skopeo copy dir:PATH ...</c> or <c>oci:PATH:TAG</c> reads. Every file is checked against
/// its digest while it streams and reaches its name only complete.
/// </summary>
public sealed class ImageExporter(BerthClient client, Output output, int jobs)
{
    private static readonly string[] ManifestTypes =
        [MediaTypes.OciIndex, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.DockerManifest];

    public async Task<string> ExportAsync(KnownRepository repository, string reference, ExportTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(target);
        var clock = Stopwatch.StartNew();
        var name = repository.RegistryName ?? throw (repository.Importers is null
            ? new CliException(ExitCode.Refused, $"you may not pull from repository {repository}")
            : CliException.Usage($"repository {repository} has no registry name, which serves its content: set one with the content API"));

        var (topBytes, topDigest) = await ManifestAsync(name, reference, cancellationToken);
        var top = ManifestParser.Parse(topBytes);
        var manifests = new List<(Digest Digest, byte[] Bytes, Manifest Parsed)> { (topDigest, topBytes, top) };
        if (top is ImageIndex index)
        {
            foreach (var child in index.Manifests)
            {
                var (bytes, digest) = await ManifestAsync(name, child.Digest.ToString(), cancellationToken);
                manifests.Add((digest, bytes, ManifestParser.Parse(bytes)));
            }
        }

        await target.PrepareAsync(cancellationToken);
        var blobs = manifests.Where(m => m.Parsed is ImageManifest).SelectMany(m => m.Parsed.References).DistinctBy(d => d.Digest).ToList();
        await TransferDisplay.For(output).RunAsync(blobs.Count, blobs.Sum(b => b.Size), start => Parallel.ForEachAsync(
            blobs,
            new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken },
            async (blob, token) =>
            {
                using var progress = start(blob.Digest.Encoded[..12], blob.Size);
                await DownloadAsync(name, blob.Digest, target.BlobPath(blob.Digest), progress, token);
            }));

        foreach (var (digest, bytes, _) in manifests.Skip(1))
        {
            await WriteAtomicallyAsync(target.InstancePath(digest), bytes, cancellationToken);
        }

        await target.FinishAsync(topDigest, topBytes, top.EffectiveMediaType, reference, cancellationToken);
        output.Info($"exported {repository}:{reference} ({topDigest}) to {target} in {clock.Elapsed.TotalSeconds:F1} s");
        return topDigest.ToString();
    }

    internal static async Task WriteAtomicallyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var temporary = path + ".part";
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    private async Task<(byte[] Bytes, Digest Digest)> ManifestAsync(string name, string reference, CancellationToken cancellationToken)
    {
        using var response = await client.GetRegistryAsync($"/v2/{name}/manifests/{reference}", ManifestTypes, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var digest = Digest.Compute(bytes);
        if (Digest.TryParse(reference, out var asked) && asked != digest)
        {
            throw new CliException(ExitCode.Refused, $"the server sent {name}@{reference} with the digest {digest}");
        }

        return (bytes, digest);
    }

    private async Task DownloadAsync(string name, Digest digest, string path, TransferDisplay.BlobProgress progress, CancellationToken cancellationToken)
    {
        if (File.Exists(path) && (await LocalBlob.ReadAsync(path, null, cancellationToken)).Digest == digest)
        {
            // Already there (an OCI layout shared by several images): nothing to fetch.
            progress.Report(new FileInfo(path).Length);
            return;
        }

        using var response = await client.GetRegistryAsync($"/v2/{name}/blobs/{digest}", [], cancellationToken);
        var temporary = path + ".part";
        using var calculator = new DigestCalculator(digest.Algorithm);
        await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            var buffer = new byte[1024 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                calculator.Append(buffer.AsSpan(0, read));
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                progress.Report(read);
            }
        }

        if (calculator.Current() != digest)
        {
            File.Delete(temporary);
            throw new CliException(ExitCode.Refused, $"blob {digest} arrived with the digest {calculator.Current()}; nothing was kept of it");
        }

        File.Move(temporary, path, overwrite: true);
    }
}
