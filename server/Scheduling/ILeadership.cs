namespace Berth.Server.Scheduling;

/// <summary>
/// Whether this server is the one, among those sharing a metadata store, that runs scheduled work (orphan collection,
/// retention, event delivery): two at once would collect, prune or send the same things twice.
/// </summary>
public interface ILeadership
{
    bool IsLeader { get; }

    /// <summary>Counts the times this server came to lead: work that keeps state while it leads starts afresh when it changes.</summary>
    long Term { get; }

    /// <summary>
    /// Cancelled when the term this server leads in ends, so that work started as leader stops before another server's
    /// term can overlap it; already cancelled while the server does not lead. Read it together with <see cref="IsLeader"/>:
    /// work that finds it cancelled was started as the term ended.
    /// </summary>
    CancellationToken WhileLeading { get; }
}
