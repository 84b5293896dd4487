namespace Berth.Plugins;

/// <summary>
/// An importer that brings units into a repository from a feed outside the server (another registry) rather than from
/// uploads. It imports nothing itself: every unit it brings goes through the repository's importer for its type, by way of
/// <see cref="ISyncConduit.ImportAsync{T}"/>, exactly as an upload of it would. The server runs one sync of a repository
/// at a time, as a task that clients poll.
/// </summary>
public interface ISyncImporter : IImporter
{
    /// <summary>
    /// Brings the feed's content into the conduit's repository. Whatever completed before a failure or a cancellation stays
    /// (each <see cref="ISyncConduit.ImportAsync{T}"/> commits on its own), so that the next sync picks up from there.
    /// </summary>
    /// <param name="request">The effective configuration, the server's limits and where to report progress.</param>
    /// <param name="conduit">The importer's only way to read and write the repository's units.</param>
    /// <param name="cancellationToken">Cancelled when the task is cancelled or the server stops.</param>
    /// <returns>What the sync did, shown as the task's <c>result</c>.</returns>
    /// <exception cref="ContentException">When the configuration cannot be used, or the feed's content is refused.</exception>
    Task<System.Text.Json.Nodes.JsonObject> SyncAsync(SyncRequest request, ISyncConduit conduit, CancellationToken cancellationToken);
}
