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

    /// <summary>
    /// The largest manifest one import accepts: the smallest of the server's ceiling, the repository's configuration
    /// and the call's <c>override_config</c>, which can lower the limit but never raise it.
    /// </summary>
    public static DocumentCeiling MaxDocument(ImportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var registered = Read(request.RegisteredConfig).MaxManifestBytes;
        var effective = Read(request.Config).MaxManifestBytes;
        var ceiling = request.Limits.MaxDocumentBytes;
        if (ceiling <= registered && ceiling <= effective)
        {
            return new DocumentCeiling(ceiling, "the server's ceiling");
        }

        return registered <= effective
            ? new DocumentCeiling(registered, $"importer_config.{MaxManifestBytesKey}")
            : new DocumentCeiling(effective, $"override_config.{MaxManifestBytesKey}");
    }
}
