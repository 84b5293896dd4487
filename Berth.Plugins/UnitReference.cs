namespace Berth.Plugins;

/// <summary>A unit that another unit relies on, is about, or names, identified by its type and key.</summary>
/// <param name="TypeId">The type of the unit referred to.</param>
/// <param name="Key">Its key within that type.</param>
/// <param name="Kind">What the reference means to the server.</param>
public sealed record UnitReference(string TypeId, UnitKey Key, UnitReferenceKind Kind);
