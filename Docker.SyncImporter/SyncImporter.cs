using System.Text.Json.Nodes;
using Berth.Plugins;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;

namespace Docker.SyncImporter;

/// <summary>
/// Syncs a repository from another registry (Pulp 2's docker importer with a feed): the tags its filter selects, with
/// their manifests, lists and blobs, each brought through the repository's docker importers exactly as a push of them
/// would be. It imports no unit type of its own, so it sits on a repository beside the upload importers.
/// </summary>
public sealed class SyncImporter : IOnDemandImporter
{
    /// <summary>The importer's type id.</summary>
    public const string TypeId = "docker_sync_importer";

    private const int MostUpstreams = 256;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, UpstreamRegistry> _upstreams = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, OnDemandPolicy> _policies = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ImporterMetadata Metadata { get; } = new(TypeId, "Docker Sync Importer", []) { SecretConfigKeys = SyncImporterConfig.SecretKeys };

    /// <inheritdoc />
    public void ValidateConfig(JsonObject config) => SyncImporterConfig.Read(config);

    /// <inheritdoc />
    public IReadOnlyList<UnitReference> ReferencesOf(Unit unit) => [];

    /// <inheritdoc />
    public Task<Unit> ImportUploadAsync(ImportRequest request, IImportConduit conduit, CancellationToken cancellationToken) =>
        throw new ContentException(ContentError.InvalidRequest, $"{TypeId} imports no uploads: it syncs (POST .../actions/sync/)");

    /// <inheritdoc />
    public async Task<JsonObject> SyncAsync(SyncRequest request, ISyncConduit conduit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(conduit);
        var config = SyncImporterConfig.Read(request.Config);
        var (feed, upstreamName) = config.RequireSource(conduit.RepositoryId);
        using var upstream = new UpstreamRegistry(feed, upstreamName, config);
        return await new SyncRun(request, conduit, upstream, config).RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public OnDemandPolicy? OnDemand(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);

        // Asked at every pull from a repository that syncs: a configuration that serves no pulls is read no further, and
        // one that does is read once.
        if (config[SyncImporterConfig.OnDemandKey] is not JsonValue flag || !flag.TryGetValue<bool>(out var onDemand) || !onDemand)
        {
            return null;
        }

        var key = config.ToJsonString();
        if (_policies.TryGetValue(key, out var known))
        {
            return known;
        }

        var read = SyncImporterConfig.Read(config);
        if (_policies.Count >= MostUpstreams)
        {
            _policies.Clear();
        }

        return _policies.GetOrAdd(key, new OnDemandPolicy(read.TagRefresh, read.AllowPush, $"{read.FeedUrl!.AbsoluteUri.TrimEnd('/')}/{read.Upstream}"));
    }

    /// <inheritdoc />
    public JsonObject CacheConfig(Uri feed, string upstreamName, string? username, string? password, TimeSpan? tagRefresh)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var config = new JsonObject
        {
            [SyncImporterConfig.Feed] = feed.AbsoluteUri,
            [SyncImporterConfig.UpstreamName] = upstreamName,
            [SyncImporterConfig.OnDemandKey] = true,
        };
        if (username is not null)
        {
            config[SyncImporterConfig.Username] = username;
            config[SyncImporterConfig.Password] = password;
        }

        if (tagRefresh is { } refresh)
        {
            config[SyncImporterConfig.TagRefreshKey] = (long)refresh.TotalSeconds;
        }

        return config;
    }

    /// <inheritdoc />
    public async Task<FeedManifest> FetchManifestAsync(SyncRequest request, string reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var upstream = Upstream(request.Config);
        var manifest = await upstream.GetManifestAsync(reference, request.Limits.MaxDocumentBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            // Checked before any client gets it, as the import behind it will check it.
            _ = ManifestParser.Parse(manifest.Bytes, request.Limits.MaxDocumentReferences);
        }
        catch (ManifestInvalidException e)
        {
            throw new ContentException(ContentError.ManifestInvalid, $"upstream {upstream.Describe} answered manifest {reference} with a document Berth does not take: {e.Message}");
        }

        var mediaType = ManifestShape.Read(manifest.Bytes)?.EffectiveMediaType is { Length: > 0 } said ? said : manifest.ContentType;
        return new FeedManifest(manifest.Bytes, manifest.Digest.ToString(), mediaType ?? MediaTypes.OciManifest);
    }

    /// <inheritdoc />
    public async Task<FeedContent> OpenBlobAsync(SyncRequest request, string digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var upstream = Upstream(request.Config);
        var parsed = Digest.Parse(digest);
        var response = await upstream.OpenBlobAsync(parsed, 0, cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength is not { } length)
        {
            response.Dispose();
            throw new ContentException(ContentError.FeedFailed, $"upstream {upstream.Describe} answered blob {digest} without its length");
        }

        return new FeedContent(await ResumingBlobStream.OpenAsync(upstream, parsed, length, SyncProgress.None, response, cancellationToken).ConfigureAwait(false), length);
    }

    /// <summary>
    /// The client of a configuration's feed, kept between pulls: a cache's every miss would otherwise sign in upstream
    /// afresh and open a new connection.
    /// </summary>
    private UpstreamRegistry Upstream(JsonObject configuration)
    {
        var key = configuration.ToJsonString();
        if (_upstreams.TryGetValue(key, out var known))
        {
            return known;
        }

        var config = SyncImporterConfig.Read(configuration);
        var (feed, upstreamName) = config.RequireSource(SyncImporterConfig.OnDemandKey);
        if (_upstreams.Count >= MostUpstreams)
        {
            // Configurations changed many times over: the old clients are left to close their idle connections.
            _upstreams.Clear();
        }

        return _upstreams.GetOrAdd(key, _ => new UpstreamRegistry(feed, upstreamName, config));
    }
}
