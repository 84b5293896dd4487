using Berth.Server.Registry.Browsing;
using Berth.Server.Retention;

namespace Berth.Server.Ui;

/// <summary>What a retention policy would do now, as the retention page shows it: each tag, whether it goes, and why.</summary>
public sealed record RetentionPreview(IReadOnlyList<RetentionPreview.TagRow> Tags, IReadOnlyList<string> GoingTags, long GoingManifests, long GoingBlobs)
{
    /// <summary>A tag, whether the policy removes it, and the rule that decides.</summary>
    public sealed record TagRow(string Tag, bool Goes, string Why);

    /// <param name="plan">What the policy removes (the retention service's own dry run).</param>
    /// <param name="policy">The policy.</param>
    public static RetentionPreview Of(RetentionPlan plan, RetentionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(policy);
        var going = plan.Names.Select(RepositoryBrowser.TagNameOf).OfType<string>().ToHashSet(StringComparer.Ordinal);

        // Every tag the plan was made from, going or staying, in name order: the same content the plan judged, all of it.
        var tags = plan.Names.Concat(plan.KeptNames).Select(RepositoryBrowser.TagNameOf).OfType<string>().Order(StringComparer.Ordinal).ToList();

        // The rule that governs a tag is the first that matches it: the plan says whether it goes, this says which rule.
        string Why(string tag, bool goes) => policy.Tags.FirstOrDefault(r => r.Matches(tag)) is { } rule
            ? goes ? $"beyond the newest {rule.Keep} of '{rule.Pattern}'" : $"among the newest {rule.Keep} of '{rule.Pattern}'"
            : "no rule matches it";
        var (counts, _) = RepositoryBrowser.Count(plan.All);
        return new RetentionPreview(
            [.. tags.Select(t => new TagRow(t, going.Contains(t), Why(t, going.Contains(t))))],
            [.. going.Order(StringComparer.Ordinal)],
            counts.Manifests,
            counts.Blobs);
    }
}
