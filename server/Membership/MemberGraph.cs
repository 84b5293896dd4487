using Berth.Plugins;
using Berth.Server.Units;

namespace Berth.Server.Membership;

/// <summary>
/// A repository's units with the references their importers declared, resolved to the units of the same repository:
/// what each needs, what needs it, which names point at it and what refers to it.
/// </summary>
public sealed class MemberGraph
{
    private readonly Dictionary<UnitIdentity, RepositoryUnit> _members = [];
    private readonly Dictionary<UnitIdentity, List<(Unit From, UnitReferenceKind Kind)>> _incoming = [];

    public MemberGraph(IReadOnlyList<RepositoryUnit> members, UnitTypes types)
    {
        ArgumentNullException.ThrowIfNull(members);
        Types = types ?? throw new ArgumentNullException(nameof(types));
        Members = members;
        foreach (var member in members)
        {
            _members.TryAdd(UnitIdentity.Of(member.Unit), member);
        }

        foreach (var member in members)
        {
            foreach (var reference in member.Unit.References)
            {
                var target = UnitIdentity.Of(reference);
                if (!_incoming.TryGetValue(target, out var incoming))
                {
                    _incoming[target] = incoming = [];
                }

                incoming.Add((member.Unit, reference.Kind));
            }
        }
    }

    public UnitTypes Types { get; }

    public IReadOnlyList<RepositoryUnit> Members { get; }

    public IEnumerable<Unit> Units => Members.Select(m => m.Unit);

    public Unit? Find(UnitReference reference) => _members.TryGetValue(UnitIdentity.Of(reference), out var member) ? member.Unit : null;

    public bool Contains(Unit unit) => _members.ContainsKey(UnitIdentity.Of(unit));

    public bool IsName(Unit unit) => Types.IsName(unit);

    /// <summary>The members a unit cannot do without: what it needs and, for a name, its target.</summary>
    public IEnumerable<Unit> Needed(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return unit.References.Where(r => r.Kind != UnitReferenceKind.RefersTo).Select(Find).OfType<Unit>();
    }

    /// <summary>What a unit needs (or, a name, points at) that the repository does not hold.</summary>
    public IEnumerable<UnitReference> Missing(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return unit.References.Where(r => r.Kind != UnitReferenceKind.RefersTo && Find(r) is null);
    }

    /// <summary>The members that need the unit (names excepted: they go with it instead).</summary>
    public IEnumerable<Unit> Needers(Unit unit) => Incoming(unit, UnitReferenceKind.Needs);

    /// <summary>The names that point at the unit.</summary>
    public IEnumerable<Unit> Names(Unit unit) => Incoming(unit, UnitReferenceKind.Target);

    /// <summary>The members that are about the unit (signatures, SBOMs).</summary>
    public IEnumerable<Unit> Referrers(Unit unit) => Incoming(unit, UnitReferenceKind.RefersTo);

    /// <summary>The unit and everything it needs, each after what it needs.</summary>
    /// <exception cref="UnitsIncompleteException">When something in the closure is not a member.</exception>
    public IReadOnlyList<Unit> Closure(IEnumerable<Unit> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var ordered = new List<Unit>();
        var seen = new HashSet<UnitIdentity>();
        foreach (var root in roots)
        {
            Visit(root, null);
        }

        return ordered;

        void Visit(Unit unit, Unit? neededBy)
        {
            if (!seen.Add(UnitIdentity.Of(unit)))
            {
                return;
            }

            if (!Contains(unit))
            {
                throw new UnitsIncompleteException([new MissingUnit(UnitIdentity.Of(unit), neededBy is null ? null : UnitIdentity.Of(neededBy))]);
            }

            foreach (var reference in unit.References.Where(r => r.Kind != UnitReferenceKind.RefersTo))
            {
                var needed = Find(reference)
                    ?? throw new UnitsIncompleteException([new MissingUnit(UnitIdentity.Of(reference), UnitIdentity.Of(unit))]);
                Visit(needed, unit);
            }

            ordered.Add(unit);
        }
    }

    private IEnumerable<Unit> Incoming(Unit unit, UnitReferenceKind kind)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return _incoming.TryGetValue(UnitIdentity.Of(unit), out var incoming)
            ? incoming.Where(i => i.Kind == kind && Contains(i.From)).Select(i => i.From)
            : [];
    }
}
