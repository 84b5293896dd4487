using Berth.Plugins;

namespace Berth.Server.Membership;

/// <summary>A unit's type and key as one comparable value: how references find the units they name.</summary>
public readonly record struct UnitIdentity(string TypeId, string Key)
{
    public static UnitIdentity Of(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return new UnitIdentity(unit.TypeId, unit.Key.Canonical);
    }

    public static UnitIdentity Of(UnitReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return new UnitIdentity(reference.TypeId, reference.Key.Canonical);
    }

    /// <summary>As messages name a unit: its type and, for a key of one field (a digest), that field's value.</summary>
    public override string ToString() =>
        Key.Contains('\n', StringComparison.Ordinal) ? $"{TypeId} {Key.Replace('\n', ',')}" : $"{TypeId} {Key[(Key.IndexOf('=', StringComparison.Ordinal) + 1)..]}";
}
