namespace Berth.Server.Scheduling;

/// <summary>The embedded store has one server (the data folder's lock sees to it): it always leads.</summary>
public sealed class SoleLeadership : ILeadership
{
    public bool IsLeader => true;

    public long Term => 1;

    public CancellationToken WhileLeading => CancellationToken.None;
}
