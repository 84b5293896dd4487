namespace Berth.Server.Orphans;

/// <summary>The orphans among one slice of the units, and where the next slice starts (<see langword="null"/> at the end).</summary>
public sealed record OrphanPage(IReadOnlyList<Orphan> Orphans, string? Next);
