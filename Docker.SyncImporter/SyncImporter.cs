using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Docker.SyncImporter;

/// <summary>
/// Syncs a repository from another registry (Pulp 2's docker importer with a feed): the tags its filter selects, with
/// their manifests, lists and blobs, each brought through the repository's docker importers exactly as a push of them
/// would be. It imports no unit type of its own, so it sits on a repository beside the upload importers.
/// </summary>
public sealed class SyncImporter : ISyncImporter
{
    /// <summary>The importer's type id.</summary>
    public const string TypeId = "docker_sync_importer";

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
}
