using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Errors;
using Berth.Server.Events;
using Berth.Server.Imports;
using Berth.Server.Membership;
using Berth.Server.Plugins;
using Berth.Server.Repositories;

namespace Berth.Server.TagHistory;

/// <summary>
/// Points a tag back at where its history says it pointed before (by default, before its last move), through the
/// repository's importer of names, as a push or an <c>import_upload</c> of the tag would set it.
/// </summary>
public sealed class TagRollback(ITagHistoryStore history, ImportService imports, PluginCatalog catalog, EventAnnouncer events, UnitTypes types, Audit audit)
{
    public async Task<Unit> RollBackAsync(RepositoryId repositoryId, string tag, string? wanted, CancellationToken cancellationToken)
    {
        var moves = await history.ListAsync(repositoryId, tag, cancellationToken);
        var target = wanted ?? (moves.Count > 0 ? moves[0].OldDigest : null)
            ?? throw ApiException.Invalid($"tag '{tag}' has no earlier manifest in repository '{repositoryId}' to go back to");
        if (!moves.Any(m => m.OldDigest == target || m.NewDigest == target))
        {
            throw ApiException.Invalid($"tag '{tag}' never pointed at {target} in repository '{repositoryId}'");
        }

        var nameTypes = new List<UnitTypeDefinition>();
        foreach (var type in catalog.UnitTypes.Where(t => t.Naming is not null))
        {
            if (await imports.AcceptsAsync(repositoryId, type.Id, cancellationToken))
            {
                nameTypes.Add(type);
            }
        }

        // History is kept by name alone; a repository with importers of two kinds of names cannot say which was meant.
        if (nameTypes.Count != 1)
        {
            throw ApiException.Invalid(nameTypes.Count == 0
                ? $"repository '{repositoryId}' has no importer of tags: register one to roll tags back"
                : $"repository '{repositoryId}' imports several kinds of names ({string.Join(", ", nameTypes.Select(t => t.Id))}); set the one meant with import_upload");
        }

        var naming = nameTypes[0].Naming!;
        var unit = await imports.ImportWithoutUploadAsync(
            repositoryId,
            nameTypes[0].Id,
            new JsonObject { [naming.NameField] = tag },
            new JsonObject { [naming.TargetField] = target },
            (work, name) => events.AnnounceAsync(work, EventActions.Rollback, repositoryId, repository => UnitTargets.Of(repository, name, types)),
            cancellationToken);

        // Audited here, for every door a rollback comes through (the content API, the web UI).
        await audit.RecordAsync("tag_rollback", $"{repositoryId}:{tag}", UnitTypes.TargetValueOf(unit));
        return unit;
    }
}
