using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Importers;
using Berth.Server.Imports;
using Berth.Server.Plugins;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using Berth.Server.Sync;
using Berth.Server.Units;
using Docker.Common.Digests;

namespace Berth.Server.PullThrough;

/// <summary>
/// Serves what a pull-through cache lacks: asks its on-demand importer for the manifest, answers with it at once, and
/// brings the image in behind it (one import per manifest asked for, through the repository's importers like any sync),
/// while the blobs the client then asks for stream to it from the same download the import stores. However many clients
/// ask at once, the feed is asked once per manifest and once per blob.
/// </summary>
public sealed class PullThroughService(
    IImporterRegistrationStore registrations,
    PluginCatalog catalog,
    ImportService imports,
    IUnitStore units,
    RetentionService retention,
    FeedDownloads downloads,
    TimeProvider time,
    ILogger<PullThroughService> logger) : IDisposable
{
    private static readonly IProgress<JsonObject> Unwatched = new Progress<JsonObject>();

    private readonly ConcurrentDictionary<(RepositoryId Repository, string Reference), Lazy<Task<FeedManifest>>> _fetches = new();
    private readonly ConcurrentDictionary<(RepositoryId Repository, string Digest, string? Tag), Task> _imports = new();
    private readonly ConcurrentDictionary<(RepositoryId Repository, string Tag), DateTimeOffset> _checked = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The repository's on-demand importer, when it has one configured to serve pulls; otherwise <see langword="null"/>.</summary>
    public async Task<PullThroughSource?> SourceAsync(RepositoryId repositoryId, CancellationToken cancellationToken)
    {
        foreach (var registration in await registrations.ListAsync(repositoryId, cancellationToken))
        {
            if (catalog.FindImporter(registration.ImporterTypeId) is { Importer: IOnDemandImporter onDemand } importer)
            {
                var (_, config) = ImportService.Configs(importer, registration, null);
                if (onDemand.OnDemand(config) is { } policy)
                {
                    return new PullThroughSource(repositoryId, importer, onDemand, config, policy);
                }
            }
        }

        return null;
    }

    /// <summary>Whether this server asked the feed where the tag points recently enough to answer from what the repository holds.</summary>
    public bool IsFresh(PullThroughSource source, string tag) =>
        _checked.TryGetValue((source.RepositoryId, tag), out var at) && time.GetUtcNow() - at < source.Policy.TagRefresh;

    /// <summary>
    /// The manifest the feed has under <paramref name="reference"/> now; the repository gets it (and <paramref name="tag"/>
    /// pointing at it) in the background. Concurrent asks for one reference share one request to the feed.
    /// </summary>
    /// <exception cref="ContentException">As the importer refused: <see cref="ContentError.FeedFailed"/> when the feed failed or lacks it.</exception>
    public async Task<FeedManifest> FetchManifestAsync(PullThroughSource source, string reference, string? tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var key = (source.RepositoryId, reference);
        var fetch = _fetches.GetOrAdd(key, _ => new Lazy<Task<FeedManifest>>(() => FetchAsync(source, reference, tag)));
        return await fetch.Value.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The blob's bytes from the feed, joining a download of it under way for this repository (by another client, or by
    /// the import of an image that needs it) or starting one.
    /// </summary>
    public Task<FeedContent> OpenBlobAsync(PullThroughSource source, Digest digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        return downloads.ReadAsync(
            source.RepositoryId.Value, digest, token => source.OnDemand.OpenBlobAsync(Request(source), digest.ToString(), token), cancellationToken);
    }

    /// <summary>Whether a refusal says the feed does not have what was asked for (it answered 404).</summary>
    public static bool FeedLacks(ContentException refusal) =>
        refusal is { Error: ContentError.FeedFailed } && refusal.Details["status"] is JsonValue status && status.TryGetValue<int>(out var code) && code == StatusCodes.Status404NotFound;

    /// <summary>The length of a blob being brought into the repository from its feed now, if it is.</summary>
    public long? LengthInFlight(PullThroughSource source, Digest digest) => downloads.LengthOf(source.RepositoryId.Value, digest);

    /// <summary>Whether imports are still bringing content into the repository (tests wait on it with a bound).</summary>
    public bool IsImporting(RepositoryId repositoryId) => _imports.Keys.Any(k => k.Repository == repositoryId);

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    // Not cancelled with the request that started it: others may be waiting on it.
    private async Task<FeedManifest> FetchAsync(PullThroughSource source, string reference, string? tag)
    {
        await Task.Yield();
        try
        {
            var manifest = await source.OnDemand.FetchManifestAsync(Request(source), reference, _stopping.Token);
            StartImport(source, manifest.Digest, tag);
            if (tag is not null)
            {
                _checked[(source.RepositoryId, tag)] = time.GetUtcNow();
            }

            return manifest;
        }
        finally
        {
            _fetches.TryRemove((source.RepositoryId, reference), out _);
        }
    }

    private void StartImport(PullThroughSource source, string digest, string? tag)
    {
        var key = (source.RepositoryId, digest, tag);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_imports.TryAdd(key, done.Task))
        {
            return;
        }

        // Taken before the client has the manifest: the blobs it then asks for are kept for the import, fetched once.
        var hold = downloads.Hold(source.RepositoryId.Value);
        _ = Task.Run(
            async () =>
            {
                try
                {
                    var conduit = new SyncConduit(source.RepositoryId, source.Importer, imports, units, retention, downloads);
                    var request = Request(source) with { Only = [new SyncTarget(digest, tag)] };
                    await source.OnDemand.SyncAsync(request, conduit, _stopping.Token);
                    logger.LogInformation(
                        "Brought {Digest}{Tag} into pull-through cache {Repository} from {Feed}", digest, tag is null ? string.Empty : $" ({tag})", source.RepositoryId, source.Policy.Feed);
                }
                catch (Exception e) when (!_stopping.IsCancellationRequested)
                {
                    // The client already has what it asked for, or learnt of the failure itself; the next pull tries again.
                    if (tag is not null)
                    {
                        _checked.TryRemove((source.RepositoryId, tag), out _);
                    }

                    logger.LogWarning(e, "Could not bring {Digest} into pull-through cache {Repository} from {Feed}", digest, source.RepositoryId, source.Policy.Feed);
                }
                catch (Exception)
                {
                    // The server is stopping: the import's unit of work left nothing behind.
                }
                finally
                {
                    hold.Dispose();
                    _imports.TryRemove(key, out _);
                    done.TrySetResult();
                }
            },
            CancellationToken.None);
    }

    private SyncRequest Request(PullThroughSource source) => new() { Config = source.Config, Limits = imports.Limits, Progress = Unwatched };
}
