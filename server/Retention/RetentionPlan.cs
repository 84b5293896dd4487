using Berth.Plugins;
using Berth.Server.Units;
using Docker.Common;

namespace Berth.Server.Retention;

/// <summary>
/// What a repository's policy removes from it now, computed from its units alone, so that a dry run and the run
/// itself reach the same answer from the same content. See <see cref="RetentionPolicy"/> for the rules.
/// </summary>
public sealed record RetentionPlan(IReadOnlyList<Unit> Tags, IReadOnlyList<Unit> Manifests, IReadOnlyList<Unit> Blobs)
{
    public IEnumerable<Unit> All => Tags.Concat(Manifests).Concat(Blobs);

    public int Count => Tags.Count + Manifests.Count + Blobs.Count;

    /// <param name="members">Every unit of the repository, with when it arrived and when it last changed (a tag: moved).</param>
    /// <param name="policy">The repository's policy.</param>
    /// <param name="now">The time ages are measured at.</param>
    public static RetentionPlan For(IReadOnlyList<RepositoryUnit> members, RetentionPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(policy);
        var tags = members.Where(m => m.Unit.TypeId == DockerUnitTypes.Tag).ToList();
        var manifests = members
            .Where(m => m.Unit.TypeId is DockerUnitTypes.Manifest or DockerUnitTypes.ManifestList)
            .GroupBy(m => m.Unit.Key[DockerUnitTypes.Fields.Digest]!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var removedTags = TagsToRemove(tags, policy);
        var keptTags = tags.Where(t => !removedTags.Contains(t)).ToList();
        var tagged = keptTags.Select(t => UnitReferences.TagTarget(t.Unit)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var everTagged = tags.Select(t => UnitReferences.TagTarget(t.Unit)).OfType<string>().ToHashSet(StringComparer.Ordinal);

        // What may go: manifests whose last tag goes now, and untagged ones older than the policy's age...
        var removable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (digest, member) in manifests)
        {
            var untaggedAndOld = !everTagged.Contains(digest) && policy.UntaggedOlderThan is { } age && now - member.Created > age;
            if (!tagged.Contains(digest) && (everTagged.Contains(digest) || untaggedAndOld))
            {
                removable.Add(digest);
            }
        }

        // ...and, with them, the manifests only they brought: a list's manifests, referrers of what goes.
        var needs = manifests.ToDictionary(p => p.Key, p => UnitReferences.Needs(p.Value.Unit), StringComparer.Ordinal);
        var referrers = manifests.Values
            .Where(m => UnitReferences.Subject(m.Unit) is not null)
            .ToLookup(m => UnitReferences.Subject(m.Unit)!, m => m.Unit.Key[DockerUnitTypes.Fields.Digest]!, StringComparer.Ordinal);
        var spreading = new Stack<string>(removable);
        while (spreading.TryPop(out var digest))
        {
            foreach (var brought in needs[digest].Where(manifests.ContainsKey).Concat(referrers[digest]))
            {
                if (!everTagged.Contains(brought) && removable.Add(brought))
                {
                    spreading.Push(brought);
                }
            }
        }

        // Whatever stays keeps what it needs, and its referrers, whatever the rules above said.
        var kept = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(manifests.Keys.Where(d => !removable.Contains(d)));
        while (pending.TryPop(out var digest))
        {
            if (!kept.Add(digest))
            {
                continue;
            }

            foreach (var needed in needs[digest].Where(manifests.ContainsKey).Concat(referrers[digest]))
            {
                pending.Push(needed);
            }
        }

        var goingManifests = manifests.Values.Where(m => !kept.Contains(m.Unit.Key[DockerUnitTypes.Fields.Digest]!)).Select(m => m.Unit).ToList();
        var goingDigests = goingManifests.Select(m => m.Key[DockerUnitTypes.Fields.Digest]!).ToHashSet(StringComparer.Ordinal);
        var neededByKept = kept.SelectMany(d => needs[d]).ToHashSet(StringComparer.Ordinal);
        var neededByGoing = goingDigests.SelectMany(d => needs[d]).ToHashSet(StringComparer.Ordinal);
        var goingBlobs = members
            .Where(m => m.Unit.TypeId == DockerUnitTypes.Blob)
            .Select(m => m.Unit)
            .Where(b => neededByGoing.Contains(b.Key[DockerUnitTypes.Fields.Digest]!) && !neededByKept.Contains(b.Key[DockerUnitTypes.Fields.Digest]!))
            .ToList();

        // A tag kept by the rules but pointing at nothing that stays cannot be: it goes with its manifest.
        var goingTags = tags.Where(t => removedTags.Contains(t) || goingDigests.Contains(UnitReferences.TagTarget(t.Unit) ?? string.Empty)).Select(t => t.Unit).ToList();
        return new RetentionPlan(goingTags, goingManifests, goingBlobs);
    }

    private static HashSet<RepositoryUnit> TagsToRemove(List<RepositoryUnit> tags, RetentionPolicy policy)
    {
        var removed = new HashSet<RepositoryUnit>();
        var claimed = new HashSet<RepositoryUnit>();
        foreach (var rule in policy.Tags)
        {
            var matching = tags
                .Where(t => !claimed.Contains(t) && rule.Matches(t.Unit.Key[DockerUnitTypes.Fields.Name] ?? string.Empty))
                .OrderByDescending(t => t.Updated)
                .ThenByDescending(t => t.Created)
                .ThenBy(t => t.Unit.Key[DockerUnitTypes.Fields.Name], StringComparer.Ordinal)
                .ToList();
            claimed.UnionWith(matching);
            removed.UnionWith(matching.Skip(rule.Keep));
        }

        return removed;
    }
}
