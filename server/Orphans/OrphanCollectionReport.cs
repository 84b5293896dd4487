namespace Berth.Server.Orphans;

/// <summary>
/// What one orphan collection removed and freed, and what it left because it was in use or too young: orphaned
/// less than <see cref="GracePeriodSeconds"/> ago, the grace period or the age an administrator asked for instead.
/// </summary>
public sealed record OrphanCollectionReport(
    IReadOnlyDictionary<string, long> UnitsRemoved,
    long UnitsRemovedTotal,
    long ContentFilesRemoved,
    long BytesFreed,
    long SkippedInUse,
    long SkippedInGracePeriod,
    double GracePeriodSeconds,
    double Seconds)
{
    /// <summary>What the audit line of a collection says of it, whichever door asked for it.</summary>
    public string AuditDetail(bool gracePeriodOverridden) =>
        $"{UnitsRemovedTotal} units, {BytesFreed} bytes{(gracePeriodOverridden ? $", grace period overridden: older than {GracePeriodSeconds} s" : string.Empty)}";
}
