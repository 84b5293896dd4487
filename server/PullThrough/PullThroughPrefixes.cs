using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Configuration;
using Berth.Server.Plugins;
using Docker.Common.References;
using Microsoft.Extensions.Options;

namespace Berth.Server.PullThrough;

/// <summary>
/// The upstreams proxied by name (<c>Berth:PullThrough</c>): which one a registry name falls under, and the on-demand
/// importer configuration its cache repository gets.
/// </summary>
public sealed class PullThroughPrefixes(IOptions<BerthOptions> options, PluginCatalog catalog)
{
    /// <summary>The prefix a name falls under (the longest that matches), with the name upstream: what follows the prefix.</summary>
    public (PullThroughPrefixOptions Prefix, string UpstreamName)? Match(RegistryName name) =>
        options.Value.PullThrough
            .Where(p => p.Prefix is not null && name.Value.StartsWith(p.Prefix.TrimEnd('/') + "/", StringComparison.Ordinal))
            .OrderByDescending(p => p.Prefix!.Length)
            .Select(p => ((PullThroughPrefixOptions, string)?)(p, name.Value[(p.Prefix!.TrimEnd('/').Length + 1)..]))
            .FirstOrDefault();

    /// <summary>The loaded importer that serves pulls on demand, and its configuration for one upstream name under a prefix.</summary>
    /// <exception cref="InvalidOperationException">When no loaded plugin serves pulls on demand: the server's setting cannot work.</exception>
    public (LoadedImporter Importer, IOnDemandImporter OnDemand, JsonObject Config) CacheImporter(PullThroughPrefixOptions prefix, string upstreamName)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var importer = catalog.Importers.FirstOrDefault(i => i.Importer is IOnDemandImporter)
            ?? throw new InvalidOperationException(
                $"{BerthOptions.Section}:PullThrough names upstreams, but no loaded importer serves pulls on demand; the loaded importers are {string.Join(", ", catalog.Importers.Select(i => i.Id))}");
        var onDemand = (IOnDemandImporter)importer.Importer;
        var config = onDemand.CacheConfig(
            new Uri(prefix.Feed!), upstreamName, prefix.Username, prefix.Password, prefix.TagRefreshSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
        importer.Importer.ValidateConfig(config);
        return (importer, onDemand, config);
    }
}
