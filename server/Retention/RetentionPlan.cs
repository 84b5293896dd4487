using Berth.Plugins;
using Berth.Server.Membership;
using Berth.Server.Units;

namespace Berth.Server.Retention;

/// <summary>
/// What a repository's policy removes from it now, computed from its units and the references their importers
/// declared alone, so that a dry run and the run itself reach the same answer from the same content. See
/// <see cref="RetentionPolicy"/> for the rules: its tags are names (<see cref="UnitNaming"/>), its manifests are the
/// units names may point at, and the rest (blobs) go with the last of those that needed them.
/// </summary>
/// <param name="Names">The names that go.</param>
/// <param name="Named">What names may point at that goes.</param>
/// <param name="Others">The rest that goes.</param>
/// <param name="KeptNames">The names that stay: with <paramref name="Names"/>, every name the repository held when planned.</param>
public sealed record RetentionPlan(IReadOnlyList<Unit> Names, IReadOnlyList<Unit> Named, IReadOnlyList<Unit> Others, IReadOnlyList<Unit> KeptNames)
{
    /// <summary>What goes.</summary>
    public IEnumerable<Unit> All => Names.Concat(Named).Concat(Others);

    public int Count => Names.Count + Named.Count + Others.Count;

    /// <param name="graph">The repository's units.</param>
    /// <param name="policy">The repository's policy.</param>
    /// <param name="now">The time ages are measured at.</param>
    public static RetentionPlan For(MemberGraph graph, RetentionPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(policy);
        var nameable = graph.Types.NameableTypeIds;
        var names = graph.Members.Where(m => graph.IsName(m.Unit)).ToList();
        var named = graph.Members
            .Where(m => nameable.Contains(m.Unit.TypeId))
            .GroupBy(m => UnitIdentity.Of(m.Unit))
            .ToDictionary(g => g.Key, g => g.First());

        var removedNames = NamesToRemove(graph, names, policy);
        var targets = (IEnumerable<RepositoryUnit> of) => of.SelectMany(n => graph.Needed(n.Unit)).Select(UnitIdentity.Of).ToHashSet();
        var tagged = targets(names.Where(n => !removedNames.Contains(n)));
        var everTagged = targets(names);

        // What may go: what its last name leaves now, and what was never named and is older than the policy's age...
        var removable = new HashSet<UnitIdentity>();
        foreach (var (identity, member) in named)
        {
            var untaggedAndOld = !everTagged.Contains(identity) && policy.UntaggedOlderThan is { } age && now - member.Created > age;
            if (!tagged.Contains(identity) && (everTagged.Contains(identity) || untaggedAndOld))
            {
                removable.Add(identity);
            }
        }

        // ...and, with it, what only it brought among those names may point at: a list's manifests, referrers of what goes.
        IEnumerable<UnitIdentity> Brought(UnitIdentity identity) =>
            graph.Needed(named[identity].Unit).Concat(graph.Referrers(named[identity].Unit)).Select(UnitIdentity.Of).Where(named.ContainsKey);
        var spreading = new Stack<UnitIdentity>(removable);
        while (spreading.TryPop(out var identity))
        {
            foreach (var brought in Brought(identity).Where(b => !everTagged.Contains(b) && removable.Add(b)))
            {
                spreading.Push(brought);
            }
        }

        // Whatever stays keeps what it needs, and its referrers, whatever the rules above said.
        var kept = new HashSet<UnitIdentity>();
        var pending = new Stack<UnitIdentity>(named.Keys.Where(i => !removable.Contains(i)));
        while (pending.TryPop(out var identity))
        {
            if (kept.Add(identity))
            {
                foreach (var brought in Brought(identity))
                {
                    pending.Push(brought);
                }
            }
        }

        var goingNamed = named.Where(n => !kept.Contains(n.Key)).Select(n => n.Value.Unit).ToList();
        var goingIdentities = goingNamed.Select(UnitIdentity.Of).ToHashSet();

        // The rest goes with the last unit that went and needed it; what nothing ever needed (a push under way) stays.
        var neededByGoing = Closure(graph, goingNamed);
        var stays = graph.Units.Where(u => !graph.IsName(u) && !goingIdentities.Contains(UnitIdentity.Of(u)) && !nameable.Contains(u.TypeId));
        var neededByStaying = Closure(graph, named.Values.Select(n => n.Unit).Where(u => kept.Contains(UnitIdentity.Of(u))).Concat(stays.Where(u => !neededByGoing.Contains(UnitIdentity.Of(u)))));
        var goingOthers = graph.Units
            .Where(u => !graph.IsName(u) && !nameable.Contains(u.TypeId))
            .Where(u => neededByGoing.Contains(UnitIdentity.Of(u)) && !neededByStaying.Contains(UnitIdentity.Of(u)))
            .ToList();

        // A name kept by the rules but pointing at nothing that stays cannot be: it goes with its target.
        var goes = names.ToLookup(n => removedNames.Contains(n) || graph.Needed(n.Unit).Any(t => goingIdentities.Contains(UnitIdentity.Of(t))), n => n.Unit);
        return new RetentionPlan([.. goes[true]], goingNamed, goingOthers, [.. goes[false]]);
    }

    /// <summary>Everything the units need, however deep, not counting the units themselves unless needed.</summary>
    private static HashSet<UnitIdentity> Closure(MemberGraph graph, IEnumerable<Unit> from)
    {
        var needed = new HashSet<UnitIdentity>();
        var pending = new Stack<Unit>(from.SelectMany(graph.Needed));
        while (pending.TryPop(out var unit))
        {
            if (needed.Add(UnitIdentity.Of(unit)))
            {
                foreach (var next in graph.Needed(unit))
                {
                    pending.Push(next);
                }
            }
        }

        return needed;
    }

    private static HashSet<RepositoryUnit> NamesToRemove(MemberGraph graph, List<RepositoryUnit> names, RetentionPolicy policy)
    {
        var removed = new HashSet<RepositoryUnit>();
        var claimed = new HashSet<RepositoryUnit>();
        foreach (var rule in policy.Tags)
        {
            var matching = names
                .Where(t => !claimed.Contains(t) && rule.Matches(graph.Types.NameOf(t.Unit)))
                .OrderByDescending(t => t.Updated)
                .ThenByDescending(t => t.Created)
                .ThenBy(t => graph.Types.NameOf(t.Unit), StringComparer.Ordinal)
                .ToList();
            claimed.UnionWith(matching);
            removed.UnionWith(matching.Skip(rule.Keep));
        }

        return removed;
    }
}
