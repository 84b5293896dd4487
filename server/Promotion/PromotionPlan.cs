using Berth.Plugins;
using Berth.Server.Membership;

namespace Berth.Server.Promotion;

/// <summary>
/// What promoting a selection of units brings along, by the references their importers declared: everything a
/// unit needs, each after what it needs (<see cref="Contents"/>), and the names asked for, which come last so that a
/// promoted name never points at something incomplete (<see cref="Names"/>).
/// </summary>
public sealed record PromotionPlan(IReadOnlyList<Unit> Contents, IReadOnlyList<Unit> Names)
{
    public IEnumerable<string> TypeIds => Contents.Concat(Names).Select(u => u.TypeId).Distinct(StringComparer.Ordinal);

    /// <param name="source">The source repository.</param>
    /// <param name="selected">What was asked for.</param>
    /// <param name="withReferrers">Also bring every unit that refers to a unit that goes (signatures, SBOMs, and theirs).</param>
    /// <exception cref="UnitsIncompleteException">When the source lacks something a unit that goes needs.</exception>
    public static PromotionPlan For(MemberGraph source, IEnumerable<Unit> selected, bool withReferrers = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selected);
        var chosen = selected.ToList();
        var names = chosen.Where(source.IsName).ToList();

        // A name brings what it points at; content brings itself.
        var roots = chosen.Where(u => !source.IsName(u)).Concat(names.SelectMany(source.Needed)).ToList();
        var contents = source.Closure(roots).ToList();

        // Referrers of what goes, and referrers of those, until nothing new refers to anything going.
        for (var added = withReferrers; added;)
        {
            var going = contents.Select(UnitIdentity.Of).ToHashSet();
            var referrers = contents.SelectMany(source.Referrers).Where(r => !going.Contains(UnitIdentity.Of(r))).ToList();
            contents.AddRange(source.Closure(referrers).Where(u => !going.Contains(UnitIdentity.Of(u))));
            added = referrers.Count > 0;
        }

        return new PromotionPlan(contents, names);
    }
}
