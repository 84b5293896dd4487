using System.Text.Json.Nodes;

namespace Berth.Plugins;

/// <summary>One <c>import_upload</c> call, as routed to the importer that handles its unit type.</summary>
public sealed record ImportRequest
{
    /// <summary>The unit type the client asked for; always one of the importer's own types.</summary>
    public required string UnitTypeId { get; init; }

    /// <summary>The unit key as the client sent it; the importer validates it.</summary>
    public required JsonObject UnitKey { get; init; }

    /// <summary>The unit metadata as the client sent it (empty when none was sent).</summary>
    public required JsonObject UnitMetadata { get; init; }

    /// <summary>
    /// The effective configuration: the plugin's default configuration, overlaid by the configuration
    /// registered on the repository, overlaid by the call's <c>override_config</c>.
    /// </summary>
    public required JsonObject Config { get; init; }

    /// <summary>
    /// The configuration without the call's <c>override_config</c>: the plugin's default configuration overlaid by the
    /// configuration registered on the repository. An importer that lets a call lower one of its limits but never
    /// raise it takes the smaller of the value here and the value in <see cref="Config"/>.
    /// </summary>
    public required JsonObject RegisteredConfig { get; init; }

    /// <summary>The server's ceilings for this import, which no configuration can raise.</summary>
    public ImportLimits Limits { get; init; } = ImportLimits.Default;

    /// <summary>The uploaded bits, or <see langword="null"/> when the client sent no upload id.</summary>
    public IUploadedFile? Upload { get; init; }
}
