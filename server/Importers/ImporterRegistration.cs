using System.Text.Json.Nodes;
using Berth.Server.Repositories;

namespace Berth.Server.Importers;

/// <summary>An importer registered on a repository, with the configuration the operator gave it.</summary>
public sealed record ImporterRegistration
{
    public required RepositoryId RepositoryId { get; init; }

    public required string ImporterTypeId { get; init; }

    public required JsonObject Config { get; init; }

    public DateTimeOffset Registered { get; init; }
}
