using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Berth.Server.Importers;

namespace Berth.Server.Repositories;

/// <summary>A repository as the content API shows it.</summary>
public sealed record RepositoryResponse(
    string Id,
    string DisplayName,
    string? Description,
    IReadOnlyDictionary<string, string> Notes,
    IReadOnlyDictionary<string, long> ContentUnitCounts,
    DateTimeOffset? LastUnitAdded,
    string? RegistryName,
    bool AnonymousPull,
    [property: JsonPropertyName("_href")] string Href,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ImporterResponse>? Importers)
{
    /// <summary>Pulp 2's distributors, asked for with <c>?distributors=true</c> or <c>?details=true</c>: Berth has none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<JsonObject>? Distributors { get; init; }

    public static RepositoryResponse From(
        Repository repository, IReadOnlyDictionary<string, long> counts, DateTimeOffset? lastUnitAdded, IReadOnlyList<ImporterResponse>? importers = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return new RepositoryResponse(
            repository.Id.Value,
            repository.DisplayName,
            repository.Description,
            repository.Notes,
            counts,
            lastUnitAdded,
            repository.RegistryName?.Value,
            repository.AnonymousPull,
            ContentApi.RepositoryHref(repository.Id.Value),
            importers);
    }
}
