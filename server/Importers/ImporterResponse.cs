using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Berth.Server.Plugins;

namespace Berth.Server.Importers;

/// <summary>An importer registration as the content API shows it (Pulp 2's repo importer).</summary>
public sealed record ImporterResponse(
    string Id,
    string ImporterTypeId,
    string RepoId,
    JsonObject Config,
    DateTimeOffset LastUpdated,
    [property: JsonPropertyName("_href")] string Href)
{
    public static ImporterResponse From(ImporterRegistration registration, PluginCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImporterResponse(
            registration.ImporterTypeId,
            registration.ImporterTypeId,
            registration.RepositoryId.Value,
            catalog.ShownConfig(registration.ImporterTypeId, registration.Config),
            registration.Registered,
            ContentApi.ImporterHref(registration.RepositoryId.Value, registration.ImporterTypeId));
    }
}
