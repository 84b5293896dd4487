using Berth.Plugins;
using Berth.Server.Plugins;

namespace Berth.Server.Membership;

/// <summary>What the loaded plugins say about unit types that the server needs to keep repositories whole.</summary>
public sealed class UnitTypes(PluginCatalog catalog)
{
    /// <summary>How units of the type name others, or <see langword="null"/> when they are content, not names.</summary>
    public UnitNaming? NamingOf(string typeId) => catalog.FindUnitType(typeId)?.Naming;

    public bool IsName(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return NamingOf(unit.TypeId) is not null;
    }

    /// <summary>The types some name type may point at: the units retention's "untagged" rule is about.</summary>
    public IReadOnlySet<string> NameableTypeIds =>
        catalog.UnitTypes.SelectMany(t => t.Naming?.TargetTypeIds ?? []).ToHashSet(StringComparer.Ordinal);

    /// <summary>The name a name unit gives, as users see it.</summary>
    public string NameOf(Unit name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var naming = NamingOf(name.TypeId) ?? throw new ArgumentException($"{name.TypeId} units are not names", nameof(name));
        return name.Key[naming.NameField] ?? string.Empty;
    }

    /// <summary>What a name unit points at (its one target reference), if anything.</summary>
    public static UnitReference? TargetOf(Unit name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.References.FirstOrDefault(r => r.Kind == UnitReferenceKind.Target);
    }

    /// <summary>The key value of what a name unit points at (a manifest's digest), as name history records it.</summary>
    public static string? TargetValueOf(Unit name) => TargetOf(name)?.Key.Fields.Values.FirstOrDefault();

    /// <summary>Asks the importers of a stored unit's type what it references; <see langword="null"/> when none is loaded.</summary>
    public IReadOnlyList<UnitReference>? ReferencesOf(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return catalog.ImportersOfType(unit.TypeId).FirstOrDefault()?.Importer.ReferencesOf(unit);
    }
}
