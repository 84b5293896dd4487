using Berth.Cli.Connection;
using Berth.Cli.Repositories;

namespace Berth.Cli.Importers;

/// <summary>
/// Whether a repository's importers take the unit types an upload is about to send, asked before a byte goes: the
/// server would refuse the import only after the whole upload had arrived.
/// </summary>
public static class ImporterCoverage
{
    public static async Task RequireAsync(BerthClient client, KnownRepository repository, IEnumerable<string> unitTypes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(repository);
        if (repository.Importers is not { } registered)
        {
            // The caller may push but not read the repository: the import itself will say.
            return;
        }

        var importerTypes = (await client.GetAsync("/plugins/importers/", cancellationToken)).AsArray()
            .Select(t => (Id: t!["id"]!.GetValue<string>(), Types: t["types"]?.AsArray().Select(u => u!.GetValue<string>()).ToList() ?? []))
            .ToList();
        var taken = importerTypes.Where(t => registered.Contains(t.Id)).SelectMany(t => t.Types).ToHashSet(StringComparer.Ordinal);
        var missing = unitTypes.Where(u => !taken.Contains(u)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var wanted = importerTypes.Where(t => t.Types.Any(missing.Contains)).Select(t => t.Id).ToList();
        var remedy = wanted.Count == 0
            ? "the server has no importer for it"
            : string.Join("; ", wanted.Select(w => $"berth importer add --repo {repository} {w}"));
        throw new CliException(
            ExitCode.Refused,
            $"repository {repository} has no importer for {string.Join(" or ", missing)} (it has {(registered.Count == 0 ? "none" : string.Join(", ", registered))}): {remedy}; nothing was uploaded");
    }
}
