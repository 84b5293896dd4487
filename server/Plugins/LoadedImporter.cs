using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Berth.Server.Plugins;

/// <summary>An importer plugin the server has loaded, with where it came from and its default configuration.</summary>
public sealed record LoadedImporter(IImporter Importer, PluginConf Conf)
{
    public string Id => Importer.Metadata.Id;

    public ImporterMetadata Metadata => Importer.Metadata;

    public JsonObject DefaultConfig => Conf.DefaultConfig;

    public bool Handles(string unitTypeId) => Metadata.Types.Any(t => t.Id == unitTypeId);
}
