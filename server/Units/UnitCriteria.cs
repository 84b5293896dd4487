using Berth.Server.Criteria;

namespace Berth.Server.Units;

/// <summary>Which of a repository's units a search returns, and in what order (by default oldest association first).</summary>
/// <param name="TypeIds">Only units of these types; every type when null.</param>
/// <param name="Skip">How many matching units to pass over.</param>
/// <param name="Limit">How many to return at most; all when null.</param>
public sealed record UnitCriteria(IReadOnlyCollection<string>? TypeIds, int Skip, int? Limit)
{
    /// <summary>Tested against the unit's document as the content API shows its <c>metadata</c> (see <see cref="UnitResponse"/>).</summary>
    public Condition UnitFilter { get; init; } = Condition.Always;

    /// <summary>Tested against the association's fields (<see cref="AssociationFields"/>).</summary>
    public Condition AssociationFilter { get; init; } = Condition.Always;

    /// <summary>Applied first; then <see cref="UnitSort"/>; then the order of association.</summary>
    public IReadOnlyList<SortKey> AssociationSort { get; init; } = [];

    public IReadOnlyList<SortKey> UnitSort { get; init; } = [];

    /// <summary>Whether the units' documents must be read to choose or order them.</summary>
    public bool ReadsUnits => !ReferenceEquals(UnitFilter, Condition.Always) || UnitSort.Count > 0;

    /// <summary>The top-level fields of the units' documents that the criteria tests or orders by: all it needs of them.</summary>
    public IReadOnlySet<string> UnitFieldNames =>
        UnitFilter.FieldsTested().Concat(UnitSort.Select(k => k.Field)).Select(f => f.Segments[0]).ToHashSet(StringComparer.Ordinal);
}
