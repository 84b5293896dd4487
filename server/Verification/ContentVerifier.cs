using Berth.Server.Content;
using Berth.Server.Membership;
using Berth.Server.Repositories;
using Docker.Common.Digests;

namespace Berth.Server.Verification;

/// <summary>
/// Re-reads everything stored and checks the promises storage makes: all stored content hashes to the digest it
/// is stored under, every unit's content is there, and every unit's repository holds what it needs (a tag, what it points at). It only
/// reads, so it is safe on a live server; run it after a crash, a restore or a disk scare.
/// </summary>
public sealed class ContentVerifier(IContentStore store, IRepositoryStore repositories, MembershipService membership, UnitTypes types)
{
    /// <summary>Verifies everything; <paramref name="progress"/> is told the size of each stored content once hashed.</summary>
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
        await foreach (var page in store.ListAsync(cancellationToken))
        {
            foreach (var entry in page)
            {
                if (entry.Digest is not { } digest)
                {
                    problems.Add(new ContentProblem(ContentProblem.Stray, entry.Name, "not named by a digest: content is stored under ALG/HH/HEX"));
                    continue;
                }

                var read = await store.OpenReadAsync(digest, range: null, cancellationToken);
                if (read is null)
                {
                    // Deleted by orphan collection since it was listed: nothing left to check.
                    continue;
                }

                using var calculator = new DigestCalculator(digest.Algorithm);
                await using (read)
                {
                    await calculator.AppendAsync(read.Stream, cancellationToken);
                }

                var actual = calculator.Current();
                if (actual != digest)
                {
                    problems.Add(new ContentProblem(ContentProblem.Mismatch, entry.Name, $"expected {digest}, the bytes hash to {actual}"));
                }

                files++;
                bytes += calculator.Length;
                progress?.Report(calculator.Length);
            }
        }

        return (files, bytes);
    }

    private async Task<(long Units, long Tags)> VerifyRepositoriesAsync(List<ContentProblem> problems, CancellationToken cancellationToken)
    {
        var checkedUnits = new HashSet<string>(StringComparer.Ordinal);
        long names = 0;
        foreach (var repository in await repositories.ListAsync(cancellationToken))
        {
            var graph = await membership.GraphAsync(repository.Id, cancellationToken);
            foreach (var unit in graph.Units)
            {
                if (graph.IsName(unit))
                {
                    names++;
                    if (graph.Missing(unit).FirstOrDefault() is { } target)
                    {
                        problems.Add(new ContentProblem(
                            ContentProblem.DanglingTag, $"{repository.Id}:{types.NameOf(unit)}", $"points at {UnitIdentity.Of(target)}, which the repository does not hold"));
                    }

                    continue;
                }

                foreach (var missing in graph.Missing(unit))
                {
                    problems.Add(new ContentProblem(
                        ContentProblem.Incomplete, $"{repository.Id} {UnitIdentity.Of(unit)}", $"needs {UnitIdentity.Of(missing)}, which the repository does not hold"));
                }

                if (unit.ContentDigest is { } text && checkedUnits.Add($"{unit.TypeId} {text}") &&
                    (!Digest.TryParse(text, out var digest) || await store.SizeAsync(digest, cancellationToken) is null))
                {
                    problems.Add(new ContentProblem(ContentProblem.Missing, $"{unit.TypeId} {text}", $"its content is not in the content store (first seen in repository {repository.Id})"));
                }
            }
        }

        return (checkedUnits.Count, names);
    }
}
