using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

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
    public static ImporterResponse From(ImporterRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return new ImporterResponse(
            registration.ImporterTypeId,
            registration.ImporterTypeId,
            registration.RepositoryId.Value,
            registration.Config,
            registration.Registered,
            ContentApi.ImporterHref(registration.RepositoryId.Value, registration.ImporterTypeId));
    }
}
