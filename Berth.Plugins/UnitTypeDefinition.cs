namespace Berth.Plugins;

/// <summary>A unit type an importer handles, listed under <c>/pulp/api/v2/plugins/types/</c>.</summary>
/// <param name="Id">The unit type id, for example <c>docker_blob</c>.</param>
/// <param name="DisplayName">A human-readable name.</param>
/// <param name="Description">One sentence on what a unit of this type is.</param>
/// <param name="UnitKeyFields">The fields that together identify a unit of this type.</param>
/// <param name="RequiresUpload">Whether an import of this type needs uploaded bits (a tag, for example, does not).</param>
public sealed record UnitTypeDefinition(
    string Id,
    string DisplayName,
    string Description,
    IReadOnlyList<string> UnitKeyFields,
    bool RequiresUpload)
{
    /// <summary>
    /// Set when units of this type are names pointing at other units (tags); <see langword="null"/> for content.
    /// A name unit has exactly one <see cref="UnitReferenceKind.Target"/> reference.
    /// </summary>
    public UnitNaming? Naming { get; init; }
}
