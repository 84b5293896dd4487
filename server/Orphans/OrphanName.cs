namespace Berth.Server.Orphans;

/// <summary>An orphan as an administrator names it to remove it: its unit type and unit id, as Pulp 2's <c>content_type_id</c> and <c>unit_id</c>.</summary>
public sealed record OrphanName(string TypeId, string UnitId);
