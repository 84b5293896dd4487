using System.Text.Json.Nodes;

namespace Berth.Plugins;

/// <summary>One sync of one repository, as the server hands it to the repository's sync importer.</summary>
public sealed record SyncRequest
{
    /// <summary>
    /// The effective configuration: the plugin's default configuration, overlaid by the configuration registered on the
    /// repository, overlaid by the sync call's <c>override_config</c>.
    /// </summary>
    public required JsonObject Config { get; init; }

    /// <summary>The server's ceilings for each import the sync makes, which no configuration can raise.</summary>
    public ImportLimits Limits { get; init; } = ImportLimits.Default;

    /// <summary>
    /// Where the importer reports how far it is, as often as it likes: the server keeps the latest report and shows it as
    /// the task's <c>progress_report</c>, writing it down at most about once a second.
    /// </summary>
    public required IProgress<JsonObject> Progress { get; init; }

    /// <summary>
    /// When set, the sync brings these and nothing else (a pull-through cache's miss): no listing of the feed, no filter,
    /// nothing removed.
    /// </summary>
    public IReadOnlyList<SyncTarget>? Only { get; init; }
}
