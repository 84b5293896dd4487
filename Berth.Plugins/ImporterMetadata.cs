namespace Berth.Plugins;

/// <summary>What an importer says about itself: the server lists it under <c>/pulp/api/v2/plugins/importers/</c>.</summary>
/// <param name="Id">The importer type id, for example <c>docker_blob_importer</c>.</param>
/// <param name="DisplayName">A human-readable name.</param>
/// <param name="Types">The unit types the importer accepts; no two importers on one repository may share one.</param>
public sealed record ImporterMetadata(string Id, string DisplayName, IReadOnlyList<UnitTypeDefinition> Types)
{
    /// <summary>
    /// The configuration keys whose values are secrets (a password for a feed, say): the server stores them but shows them
    /// in no response, log or event.
    /// </summary>
    public IReadOnlyList<string> SecretConfigKeys { get; init; } = [];
}
