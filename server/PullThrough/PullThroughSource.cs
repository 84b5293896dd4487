using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Plugins;
using Berth.Server.Repositories;

namespace Berth.Server.PullThrough;

/// <summary>A repository served as a pull-through cache: the importer that fetches for it, with its effective configuration.</summary>
public sealed record PullThroughSource(RepositoryId RepositoryId, LoadedImporter Importer, IOnDemandImporter OnDemand, JsonObject Config, OnDemandPolicy Policy);
