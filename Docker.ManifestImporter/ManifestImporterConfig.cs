using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Docker.ManifestImporter;

/// <summary>The manifest importer's configuration.</summary>
/// <param name="MaxManifestBytes">The largest manifest accepted; the OCI distribution spec suggests 4 MiB.</param>
internal sealed record ManifestImporterConfig(long MaxManifestBytes)
{
    public const string MaxManifestBytesKey = "max_manifest_bytes";
    public const long DefaultMaxManifestBytes = 4 * 1024 * 1024;

    public static ManifestImporterConfig Read(JsonObject config)
    {
        RequestFields.RejectUnknown(config, "importer_config", ContentError.InvalidConfiguration, MaxManifestBytesKey);
        var max = RequestFields.OptionalPositiveInteger(config, MaxManifestBytesKey, "importer_config", ContentError.InvalidConfiguration);
        return new ManifestImporterConfig(max ?? DefaultMaxManifestBytes);
    }
}
