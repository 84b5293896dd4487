using Berth.Plugins;
using Berth.Server.Repositories;
using Berth.Server.Storage;
using Berth.Server.Units;
using Docker.Common;
using Docker.Common.Digests;

namespace Berth.Server.Verification;

/// <summary>
/// Re-reads everything stored and checks the promises storage makes: every content file hashes to the digest it
/// is named by, every unit's content is there, every tag points at a manifest of its own repository. It only
/// reads, so it is safe on a live server; run it after a crash, a restore or a disk scare.
/// </summary>
public sealed class ContentVerifier(DataLayout layout, IRepositoryStore repositories, IUnitStore units)
{
    private const int BufferSize = 1024 * 1024;

    /// <summary>Verifies everything; <paramref name="progress"/> is told the size of each content file once hashed.</summary>
    public async Task<VerificationReport> VerifyAsync(IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var problems = new List<ContentProblem>();
        var (files, bytes) = await VerifyContentFilesAsync(problems, progress, cancellationToken);
        var (unitCount, tagCount) = await VerifyRepositoriesAsync(problems, cancellationToken);
        return new VerificationReport(files, bytes, unitCount, tagCount, problems);
    }

    private async Task<(long Files, long Bytes)> VerifyContentFilesAsync(List<ContentProblem> problems, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        long files = 0, bytes = 0;
        var buffer = new byte[BufferSize];
        foreach (var path in Directory.EnumerateFiles(layout.Content, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(layout.Root, path);
            if (layout.DigestOfContentPath(path) is not { } digest)
            {
                problems.Add(new ContentProblem(ContentProblem.Stray, relative, "not named by a digest: content paths are content/ALG/HH/HEX"));
                continue;
            }

            using var calculator = new DigestCalculator(digest.Algorithm);
            await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    calculator.Append(buffer.AsSpan(0, read));
                }
            }

            var actual = calculator.Current();
            if (actual != digest)
            {
                problems.Add(new ContentProblem(ContentProblem.Mismatch, relative, $"expected {digest}, the bytes hash to {actual}"));
            }

            files++;
            bytes += calculator.Length;
            progress?.Report(calculator.Length);
        }

        return (files, bytes);
    }

    private async Task<(long Units, long Tags)> VerifyRepositoriesAsync(List<ContentProblem> problems, CancellationToken cancellationToken)
    {
        var checkedUnits = new HashSet<string>(StringComparer.Ordinal);
        long tags = 0;
        foreach (var repository in await repositories.ListAsync(cancellationToken))
        {
            foreach (var member in await units.SearchAsync(repository.Id, new UnitCriteria(null, 0, null), cancellationToken))
            {
                var unit = member.Unit;
                if (unit.TypeId == DockerUnitTypes.Tag)
                {
                    tags++;
                    await VerifyTagAsync(repository.Id, unit, problems, cancellationToken);
                }
                else if (unit.ContentDigest is { } text && checkedUnits.Add($"{unit.TypeId} {text}") &&
                    (!Digest.TryParse(text, out var digest) || !File.Exists(layout.ContentPath(digest))))
                {
                    problems.Add(new ContentProblem(ContentProblem.Missing, $"{unit.TypeId} {text}", $"its content file is not in content/ (first seen in repository {repository.Id})"));
                }
            }
        }

        return (checkedUnits.Count, tags);
    }

    private async Task VerifyTagAsync(RepositoryId repository, Unit tag, List<ContentProblem> problems, CancellationToken cancellationToken)
    {
        var name = tag.Key.Fields.TryGetValue(DockerUnitTypes.Fields.Name, out var value) ? value : "?";
        var target = tag.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.GetValue<string>();
        var key = UnitKey.Of(DockerUnitTypes.Fields.Digest, target ?? string.Empty);
        foreach (var type in new[] { DockerUnitTypes.Manifest, DockerUnitTypes.ManifestList })
        {
            if ((await units.FindInRepositoryAsync(repository, type, [key], cancellationToken)).Count > 0)
            {
                return;
            }
        }

        problems.Add(new ContentProblem(ContentProblem.DanglingTag, $"{repository}:{name}", $"points at {target}, which the repository does not hold"));
    }
}
