using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Docker.ManifestImporter;

/// <summary>The manifest importer's configuration.</summary>
/// <param name="MaxManifestBytes">
/// The largest manifest accepted; the OCI distribution spec suggests 4 MiB. A manifest is read into memory whole, so
/// no more than an array holds (<see cref="Array.MaxLength"/>): a larger setting would let a large enough upload fail
/// the import with an overflow instead of a refusal.
/// </param>
internal sealed record ManifestImporterConfig(long MaxManifestBytes)
{
    public const string MaxManifestBytesKey = "max_manifest_bytes";
    public const long DefaultMaxManifestBytes = 4 * 1024 * 1024;

    public static ManifestImporterConfig Read(JsonObject config)
    {
        RequestFields.RejectUnknown(config, "importer_config", ContentError.InvalidConfiguration, MaxManifestBytesKey);
        var max = RequestFields.OptionalPositiveInteger(config, MaxManifestBytesKey, "importer_config", ContentError.InvalidConfiguration);
        if (max > Array.MaxLength)
        {
            throw new ContentException(
                ContentError.InvalidConfiguration,
                $"importer_config.{MaxManifestBytesKey} may be {Array.MaxLength} at most: a manifest is read into memory whole");
        }

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
