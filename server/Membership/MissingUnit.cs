namespace Berth.Server.Membership;

/// <summary>A unit a repository lacks, and the unit that needs it (none when it was asked for itself).</summary>
public sealed record MissingUnit(UnitIdentity Unit, UnitIdentity? NeededBy);
