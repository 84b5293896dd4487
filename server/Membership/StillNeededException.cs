using Berth.Plugins;

namespace Berth.Server.Membership;

/// <summary>A removal refused because units that stay need units that would go; nothing was removed.</summary>
public sealed class StillNeededException(IReadOnlyList<NeededUnit> needed)
    : Exception($"nothing was removed: {string.Join("; ", needed.Select(n => n.ToString()))}")
{
    public IReadOnlyList<NeededUnit> Needed { get; } = needed;
}

/// <summary>A unit that cannot go, and the units staying that need it.</summary>
public sealed record NeededUnit(Unit Unit, IReadOnlyList<Unit> NeededBy)
{
    public override string ToString() =>
        $"{UnitIdentity.Of(Unit)} is needed by {string.Join(", ", NeededBy.Select(UnitIdentity.Of))}";
}
