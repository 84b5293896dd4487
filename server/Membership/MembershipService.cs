using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Orphans;
using Berth.Server.Repositories;
using Berth.Server.Storage;
using Berth.Server.TagHistory;
using Berth.Server.Units;

namespace Berth.Server.Membership;

/// <summary>
/// The one way units join and leave repositories. It keeps every repository whole by the references importers
/// declared (nothing joins without what it needs, nothing leaves while a unit staying needs it, names go with what
/// they point at), holds and condemns places against concurrent imports and orphan collection, records where names
/// point, and writes the audit line. Imports, promotion, mounts, removals through either API, retention and repository
/// deletion all come here. What one of them changes is one <see cref="UnitOfWork"/>, committed at once.
/// </summary>
public sealed class MembershipService(
    IUnitStore units,
    IUnitOfWorkStore store,
    IRepositoryStore repositories,
    ReferenceGuard guard,
    TagHistoryRecorder history,
    UnitTypes types,
    Audit audit)
{
    /// <summary>Every unit of the repository, with its references resolved among them.</summary>
    public async Task<MemberGraph> GraphAsync(RepositoryId repositoryId, CancellationToken cancellationToken) =>
        new(await units.SearchAsync(repositoryId, new UnitCriteria(null, 0, null), cancellationToken), types);

    /// <summary>
    /// The ids of the repository's units a criteria chooses, found by the store: what <c>associate</c> and
    /// <c>unassociate</c> then take from the repository's graph.
    /// </summary>
    public async Task<IReadOnlySet<string>> ChosenAsync(RepositoryId repositoryId, UnitCriteria criteria, CancellationToken cancellationToken) =>
        (await units.SearchAsync(repositoryId, criteria, cancellationToken)).Select(member => member.Unit.Id!).ToHashSet(StringComparer.Ordinal);

    /// <summary>Those of the given units that the repository holds, or that <paramref name="work"/> adds to it.</summary>
    public async Task<IReadOnlyList<Unit>> FindInRepositoryAsync(
        UnitOfWork work, RepositoryId repositoryId, string typeId, IReadOnlyCollection<UnitKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var pending = work.Associated(repositoryId, typeId, keys);
        var stored = await units.FindInRepositoryAsync(repositoryId, typeId, keys, cancellationToken);
        if (pending.Count == 0)
        {
            return stored;
        }

        // What the work saved is newer than what is stored (a tag it moved, say).
        var found = stored.ToDictionary(UnitIdentity.Of);
        foreach (var unit in pending)
        {
            found[UnitIdentity.Of(unit)] = unit;
        }

        return [.. found.Values];
    }

    /// <summary>The unit with that type and key, as <paramref name="work"/> saved it or as it is stored.</summary>
    public async Task<Unit?> FindAsync(UnitOfWork work, string typeId, UnitKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return work.Saved(typeId, key) ?? await units.FindAsync(typeId, key, cancellationToken);
    }

    /// <summary>
    /// Saves a unit an importer made for the repository, with the references it declared, in <paramref name="work"/>;
    /// a name's move is recorded.
    /// </summary>
    public async Task<Unit> SaveAsync(UnitOfWork work, RepositoryId repositoryId, Unit unit, IReadOnlyList<UnitReference> references, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(unit);
        var declared = unit with { References = references };
        if (!types.IsName(unit))
        {
            return work.Save(declared);
        }

        // A name is a unit of one repository: saving it is moving it.
        var found = await FindInRepositoryAsync(work, repositoryId, unit.TypeId, [unit.Key], cancellationToken);
        var saved = work.Save(declared);
        await history.RecordAsync(work, repositoryId, types.NameOf(saved), found.Count > 0 ? UnitTypes.TargetValueOf(found[0]) : null, UnitTypes.TargetValueOf(saved));
        return saved;
    }

    /// <summary>
    /// Adds a unit to the repository in <paramref name="work"/>; the repository must hold everything the unit needs (or,
    /// a name, its target), or the work must add it.
    /// </summary>
    /// <exception cref="UnitsIncompleteException">When it does not.</exception>
    public async Task AddAsync(UnitOfWork work, RepositoryId repositoryId, Unit unit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(unit);
        var needed = unit.References.Where(r => r.Kind != UnitReferenceKind.RefersTo).ToList();

        // Held until the work is committed: what the unit needs cannot be removed, nor the unit collected, meanwhile.
        work.Keep(await guard.HoldAsync(
            needed.Select(r => ReferenceGuard.MemberKey(repositoryId.Value, r.TypeId, r.Key)).Append(ReferenceGuard.UnitKey(unit.TypeId, unit.Key)),
            cancellationToken));
        var missing = new List<MissingUnit>();
        foreach (var group in needed.GroupBy(r => r.TypeId, StringComparer.Ordinal))
        {
            var keys = group.Select(r => r.Key).Distinct().ToList();
            var found = (await FindInRepositoryAsync(work, repositoryId, group.Key, keys, cancellationToken)).Select(u => u.Key).ToHashSet();
            missing.AddRange(keys.Where(k => !found.Contains(k)).Select(k => new MissingUnit(new UnitIdentity(group.Key, k.Canonical), UnitIdentity.Of(unit))));
        }

        if (missing.Count > 0)
        {
            throw new UnitsIncompleteException(missing);
        }

        work.Associate(repositoryId, unit);
    }

    /// <summary>Commits <paramref name="work"/>: everything it changes, at once.</summary>
    public Task<CommittedWork> CommitAsync(UnitOfWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return work.CommitAsync(store, cancellationToken);
    }

    /// <summary>
    /// Adds units of another repository, in order, each after what it needs (a <see cref="MemberGraph.Closure"/>): units
    /// are shared, so this copies no bytes. Names are not added here: they belong to one repository, and are set through
    /// the destination's importer.
    /// </summary>
    public async Task AddAllAsync(
        RepositoryId destination, IReadOnlyList<Unit> closure, string action, string target, MembershipReport? report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(closure);
        if (closure.Any(types.IsName))
        {
            throw new ArgumentException("Names are set through the destination's importer, not added.", nameof(closure));
        }

        // Units are shared: held, so that orphan collection cannot take one between its lookup and its association here.
        using var work = new UnitOfWork();
        work.Keep(await guard.HoldAsync(closure.Select(u => ReferenceGuard.UnitKey(u.TypeId, u.Key)), cancellationToken));
        foreach (var unit in closure)
        {
            work.Associate(destination, unit);
        }

        if (report is not null)
        {
            await report(work, closure);
        }

        await CommitAsync(work, cancellationToken);
        await audit.RecordAsync(action, target, $"{closure.Count} units");
    }

    /// <summary>
    /// Removes what <paramref name="choose"/> picks from the repository, with the names that point at it. Refused,
    /// removing nothing, when a unit that stays needs one that would go, or an import under way relies on one.
    /// </summary>
    /// <param name="repositoryId">The repository.</param>
    /// <param name="choose">Picks the units to remove from the repository as it is; asked twice, the second time under condemnation.</param>
    /// <param name="action">The audit line's action, as the caller names the change (<c>delete.blob</c>, say).</param>
    /// <param name="target">The audit line's target.</param>
    /// <param name="report">Reports what goes, in the work that removes it.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>What was removed (nothing when the choice is empty).</returns>
    /// <exception cref="StillNeededException">When units that stay need units that would go.</exception>
    /// <exception cref="ContentInUseException">When an import relies on the units, or the repository changed meanwhile.</exception>
    public async Task<IReadOnlyList<Unit>> RemoveAsync(
        RepositoryId repositoryId,
        Func<MemberGraph, IEnumerable<Unit>> choose,
        string action,
        string target,
        MembershipReport? report,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(choose);
        var removing = Removal(await GraphAsync(repositoryId, cancellationToken), choose);
        if (removing.Count == 0)
        {
            return removing;
        }

        var keys = removing.Select(u => ReferenceGuard.MemberKey(repositoryId.Value, u.TypeId, u.Key)).Distinct(StringComparer.Ordinal).ToList();
        using (var condemnation = await guard.TryCondemnAsync(keys, cancellationToken) ?? throw InUse())
        {
            // Chosen again now that no import can come to rely on these units: one may have committed in between.
            var again = Removal(await GraphAsync(repositoryId, cancellationToken), choose);
            if (!again.Select(u => u.Id).ToHashSet(StringComparer.Ordinal).SetEquals(removing.Select(u => u.Id)))
            {
                throw InUse();
            }

            using var work = new UnitOfWork();
            foreach (var unit in removing)
            {
                work.Remove(repositoryId, unit.Id!);
            }

            foreach (var name in removing.Where(types.IsName))
            {
                await history.RecordAsync(work, repositoryId, types.NameOf(name), UnitTypes.TargetValueOf(name), null);
            }

            if (report is not null)
            {
                await report(work, removing);
            }

            await condemnation.ConfirmAsync(cancellationToken);
            await CommitAsync(work, cancellationToken);
        }

        await audit.RecordAsync(action, target, $"{removing.Count} units");
        return removing;
    }

    /// <summary>Deletes the repository with all its members, importers, policy and name history.</summary>
    public async Task<bool> DeleteRepositoryAsync(RepositoryId repositoryId, CancellationToken cancellationToken)
    {
        if (!await repositories.DeleteAsync(repositoryId, cancellationToken))
        {
            return false;
        }

        await audit.RecordAsync("repository.delete", repositoryId.Value);
        return true;
    }

    /// <summary>What removing the chosen units takes: them and the names pointing at them, once nothing staying needs them.</summary>
    /// <summary>
    /// What <see cref="RemoveAsync"/> would remove, with what goes along (the names of what goes), checked as it would
    /// be, and nothing changed.
    /// </summary>
    /// <exception cref="StillNeededException">When something that stays needs a unit that would go.</exception>
    public async Task<IReadOnlyList<Unit>> RemovalAsync(RepositoryId repositoryId, Func<MemberGraph, IEnumerable<Unit>> choose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(choose);
        return Removal(await GraphAsync(repositoryId, cancellationToken), choose);
    }

    private static List<Unit> Removal(MemberGraph graph, Func<MemberGraph, IEnumerable<Unit>> choose)
    {
        var removing = new List<Unit>();
        var going = new HashSet<UnitIdentity>();
        foreach (var unit in choose(graph).Where(graph.Contains))
        {
            Add(unit);
            foreach (var name in graph.Names(unit))
            {
                Add(name);
            }
        }

        var stillNeeded = removing
            .Select(u => new NeededUnit(u, [.. graph.Needers(u).Where(n => !going.Contains(UnitIdentity.Of(n)))]))
            .Where(n => n.NeededBy.Count > 0)
            .ToList();
        return stillNeeded.Count > 0 ? throw new StillNeededException(stillNeeded) : removing;

        void Add(Unit unit)
        {
            if (going.Add(UnitIdentity.Of(unit)))
            {
                removing.Add(unit);
            }
        }
    }

    private static ContentInUseException InUse() =>
        new("an import or push under way relies on some of these units, or the repository changed meanwhile; nothing was removed: try again in a moment");
}
