using System.Text.Json.Nodes;

namespace Berth.Plugins;

/// <summary>
/// A sync importer that can also serve a repository as a pull-through cache: when a client asks the repository for
/// something it does not hold, the server asks this importer for it, answers the client with it, and brings it in through
/// <see cref="ISyncImporter.SyncAsync"/> with <see cref="SyncRequest.Only"/> naming it, so that later reads are local.
/// </summary>
public interface IOnDemandImporter : ISyncImporter
{
    /// <summary>
    /// How a repository with this configuration (one the importer accepted) is served on demand; <see langword="null"/>
    /// when it is not. The server asks at every pull from a repository the importer is registered on: answer cheaply.
    /// </summary>
    /// <exception cref="ContentException">When the configuration is invalid.</exception>
    OnDemandPolicy? OnDemand(JsonObject config);

    /// <summary>
    /// The configuration of a cache the server makes by itself, for an upstream its settings proxy by name: pulls served on
    /// demand from <paramref name="upstreamName"/> at <paramref name="feed"/>, signing in as given.
    /// </summary>
    JsonObject CacheConfig(Uri feed, string upstreamName, string? username, string? password, TimeSpan? tagRefresh);

    /// <summary>A manifest, by tag or digest, as the feed has it now, checked against its digest.</summary>
    /// <param name="request">The effective configuration and limits; its progress is not read.</param>
    /// <param name="reference">A tag or a digest.</param>
    /// <param name="cancellationToken">Ends the request.</param>
    /// <exception cref="ContentException">
    /// With <see cref="ContentError.FeedFailed"/> when the feed cannot be reached or does not have it (its <c>status</c>
    /// detail is then the feed's HTTP status), or another error when what it answered is refused.
    /// </exception>
    Task<FeedManifest> FetchManifestAsync(SyncRequest request, string reference, CancellationToken cancellationToken);

    /// <summary>Opens a blob's bytes as the feed streams them, with their length; the digest is checked by whoever reads them.</summary>
    /// <exception cref="ContentException">As <see cref="FetchManifestAsync"/>.</exception>
    Task<FeedContent> OpenBlobAsync(SyncRequest request, string digest, CancellationToken cancellationToken);
}
