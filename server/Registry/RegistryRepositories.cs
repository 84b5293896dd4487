using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Importers;
using Berth.Server.Imports;
using Berth.Server.Plugins;
using Berth.Server.PullThrough;
using Berth.Server.Repositories;
using Docker.Common;
using Docker.Common.References;
using Microsoft.Extensions.Options;

namespace Berth.Server.Registry;

/// <summary>
/// Finds the repository a registry name stands for. A push to a name nobody has used creates the repository,
/// with both docker importers registered, unless <see cref="BerthOptions.CreateRepositoriesOnPush"/> is off.
/// </summary>
public sealed class RegistryRepositories(
    RepositoryService repositories,
    ImporterService importers,
    PluginCatalog catalog,
    AccessControl access,
    ImportService imports,
    IOptions<BerthOptions> options,
    PullThroughService pullThrough,
    PullThroughPrefixes prefixes,
    ILogger<RegistryRepositories> logger)
{
    private static readonly string[] DockerImporters = [DockerUnitTypes.BlobImporter, DockerUnitTypes.ManifestImporter];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<RegistryName, Lazy<Task<Repository>>> _creations = new();

    /// <summary>
    /// The repository of a name, for an action that reads or removes (pull by default). A caller who may not do
    /// that action on the name learns nothing of whether it exists. A pull of a manifest (<paramref name="cacheReference"/>)
    /// under a prefix <c>Berth:PullThrough</c> proxies creates the repository as a cache of the upstream, once the upstream
    /// has shown it holds that manifest.
    /// </summary>
    public async Task<Repository> ForPullAsync(HttpContext context, RegistryName name, AccessAction action = AccessAction.Pull, string? cacheReference = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var repository = await repositories.FindByRegistryNameAsync(name, context.RequestAborted);
        if (repository is null)
        {
            await access.RequireAsync(context, action, null, name.Value);
            if (cacheReference is not null && prefixes.Match(name) is { } proxied)
            {
                return await CreateCacheAsync(name, proxied.Prefix, proxied.UpstreamName, cacheReference, context.RequestAborted);
            }

            throw Unknown(name);
        }

        await access.RequireAsync(context, action, repository);
        return repository;
    }

    public Task<Repository?> FindAsync(RegistryName name, CancellationToken cancellationToken) =>
        repositories.FindByRegistryNameAsync(name, cancellationToken);

    /// <summary>The repository a push goes to, created on the first push when allowed; the caller must be allowed to push to the name.</summary>
    public async Task<Repository> ForPushAsync(HttpContext context, RegistryName name)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.RequestAborted;
        var existing = await repositories.FindByRegistryNameAsync(name, cancellationToken);
        if (existing is not null)
        {
            await access.RequireAsync(context, AccessAction.Push, existing);
        }
        else
        {
            await access.RequireAsync(context, AccessAction.Push, null, name.Value);
        }


        // Checked after the lookup: a repository still being set up by another push is found, but not used
        // until its importers are registered.
        if (_creations.TryGetValue(name, out var pending))
        {
            return await pending.Value;
        }

        if (existing is not null)
        {
            if (await pullThrough.SourceAsync(existing.Id, cancellationToken) is { Policy.AcceptsPushes: false } cache)
            {
                throw new RegistryException(
                    RegistryError.Denied,
                    $"repository '{name}' is a pull-through cache of {cache.Policy.Feed}, which takes no pushes: push to another name, " +
                    $"or let it take pushes with importer_config.allow_push on its {cache.Importer.Id}");
            }

            return existing;
        }

        if (prefixes.Match(name) is { } proxied)
        {
            throw new RegistryException(
                RegistryError.Denied,
                $"names under '{proxied.Prefix.Prefix}/' are pull-through caches of {proxied.Prefix.Feed} ({BerthOptions.Section}:PullThrough), which take no pushes: push to another name");
        }

        if (!options.Value.CreateRepositoriesOnPush)
        {
            throw Unknown(name);
        }

        var creation = _creations.GetOrAdd(name, n => new Lazy<Task<Repository>>(() => CreateAsync(n)));
        try
        {
            return await creation.Value;
        }
        finally
        {
            _creations.TryRemove(new KeyValuePair<RegistryName, Lazy<Task<Repository>>>(name, creation));
        }
    }

    // Not cancelled with the request that started it: other pushes may be waiting for it.
    private async Task<Repository> CreateAsync(RegistryName name)
    {
        // The importers are registered with the repository in one step: a crash in between would leave a repository
        // that takes blobs but refuses every manifest pushed to it, for good.
        var (repository, created) = await repositories.CreateForNameAsync(
            name, id => [.. DockerImporters.Where(type => catalog.FindImporter(type) is not null).Select(type => importers.Prepare(id, type))], CancellationToken.None);
        if (created)
        {
            logger.LogInformation("Created repository {Id} for registry name {Name} on its first push", repository.Id, name);
        }

        return repository;
    }

    /// <summary>
    /// A cache of an upstream name, made with both docker importers and the on-demand importer, after the upstream answered
    /// for <paramref name="reference"/>: a pull of what the upstream lacks leaves no repository behind.
    /// </summary>
    private async Task<Repository> CreateCacheAsync(RegistryName name, PullThroughPrefixOptions prefix, string upstreamName, string reference, CancellationToken cancellationToken)
    {
        var (importer, onDemand, config) = prefixes.CacheImporter(prefix, upstreamName);
        var feed = $"{prefix.Feed!.TrimEnd('/')}/{upstreamName}";
        try
        {
            _ = await onDemand.FetchManifestAsync(new SyncRequest { Config = config, Limits = imports.Limits, Progress = new Progress<JsonObject>() }, reference, cancellationToken);
        }
        catch (ContentException e) when (PullThroughService.FeedLacks(e))
        {
            throw new RegistryException(RegistryError.ManifestUnknown, $"manifest '{reference}' is not at {feed}, the upstream of '{name}'", JsonValue.Create(reference));
        }
        catch (ContentException e)
        {
            throw new RegistryException(RegistryError.FeedFailed, $"'{name}' is proxied from {feed}, which could not be asked for '{reference}': {e.Message}");
        }

        var creation = _creations.GetOrAdd(name, n => new Lazy<Task<Repository>>(async () =>
        {
            var (repository, created) = await repositories.CreateForNameAsync(
                n,
                id => [.. DockerImporters.Where(type => catalog.FindImporter(type) is not null).Select(type => importers.Prepare(id, type)), importers.PrepareConfigured(id, importer.Id, config)],
                CancellationToken.None);
            if (created)
            {
                logger.LogInformation("Created repository {Id}, a pull-through cache of {Feed}, on its first pull", repository.Id, feed);
            }

            return repository;
        }));
        try
        {
            return await creation.Value;
        }
        finally
        {
            _creations.TryRemove(new KeyValuePair<RegistryName, Lazy<Task<Repository>>>(name, creation));
        }
    }

    private static RegistryException Unknown(RegistryName name) =>
        new(RegistryError.NameUnknown, $"repository name '{name}' is not known to this registry", JsonValue.Create(name.Value));
}
