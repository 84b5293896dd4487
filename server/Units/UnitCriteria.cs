namespace Berth.Server.Units;

/// <summary>Which of a repository's units a search returns, oldest association first.</summary>
/// <param name="TypeIds">Only units of these types; every type when null.</param>
/// <param name="Skip">How many matching units to pass over.</param>
/// <param name="Limit">How many to return at most; all when null.</param>
public sealed record UnitCriteria(IReadOnlyCollection<string>? TypeIds, int Skip, int? Limit);
