namespace Berth.Server.Orphans;

/// <summary>What a store deleted of the orphans it was given, and the content digests no unit names any more.</summary>
public sealed record OrphanDeletion(IReadOnlyList<Orphan> Deleted, IReadOnlyList<string> UnreferencedDigests);
