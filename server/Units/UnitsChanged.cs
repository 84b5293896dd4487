namespace Berth.Server.Units;

/// <summary>The result of an associate or unassociate call, in Pulp 2's shape: the units it added or removed.</summary>
public sealed record UnitsChanged(IReadOnlyList<UnitResponse> UnitsSuccessful);
