using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;
using Berth.Server.Plugins;
using Berth.Server.Repositories;

namespace Berth.Server.Importers;

/// <summary>
/// Registers importers on repositories. A repository may hold several, but no two may claim the same unit
/// type, so that every import has exactly one route.
/// </summary>
public sealed class ImporterService(IImporterRegistrationStore store, PluginCatalog catalog, TimeProvider clock)
{
    private const string Body = "request";

    public async Task<ImporterRegistration> RegisterAsync(RepositoryId repositoryId, JsonObject body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequestFields.RejectUnknown(body, Body, ContentError.InvalidRequest, "importer_type_id", "importer_config");
        var typeId = RequestFields.RequireString(body, "importer_type_id", Body, ContentError.InvalidRequest);
        var config = (JsonObject?)RequestFields.OptionalObject(body, "importer_config", Body, ContentError.InvalidRequest)?.DeepClone() ?? [];
        var (importer, registration) = Prepare(repositoryId, typeId, config);
        var outcome = await store.TryAddAsync(registration, existing => SharedTypes(importer, existing).Count > 0, cancellationToken);
        return outcome switch
        {
            ImporterRegistrationOutcome.Added => registration,
            ImporterRegistrationOutcome.RepositoryMissing => throw new NotFoundException("repository", repositoryId.Value),
            ImporterRegistrationOutcome.AlreadyRegistered => throw new DuplicateException("importer", typeId),
            _ => throw await ConflictAsync(repositoryId, importer, cancellationToken),
        };
    }

    /// <summary>
    /// A registration of a loaded importer with a configuration it accepts, not yet stored: for a repository created
    /// with its importers in one step.
    /// </summary>
    public ImporterRegistration Prepare(RepositoryId repositoryId, string importerTypeId) => Prepare(repositoryId, importerTypeId, []).Registration;

    /// <summary>
    /// Registrations, not yet stored, of the importer with this type id or of every importer in the group of that name
    /// (Pulp 2's <c>docker_importer</c>), each with <paramref name="config"/>, which each must accept: for a repository
    /// created with its importers in one step.
    /// </summary>
    public IReadOnlyList<ImporterRegistration> PrepareNamed(RepositoryId repositoryId, string importerTypeIdOrGroup, JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var named = catalog.FindImportersNamed(importerTypeIdOrGroup);
        if (named.Count == 0)
        {
            throw UnknownImporter(importerTypeIdOrGroup);
        }

        // The rule registrations one by one follow, between the members themselves.
        var clash = named
            .SelectMany((importer, i) => named.Skip(i + 1).Select(other => (Importer: importer, Other: other, Types: SharedTypes(importer, other))))
            .FirstOrDefault(c => c.Types.Count > 0);
        if (clash.Types is { Count: > 0 })
        {
            throw new ApiException(
                ApiError.ImporterTypesConflict,
                $"the importers of {importerTypeIdOrGroup} ({clash.Importer.Id}, {clash.Other.Id}) all import {string.Join(", ", clash.Types)}; register one of them",
                new JsonObject { ["importer_type_id"] = importerTypeIdOrGroup });
        }

        return [.. named.Select(importer => Prepare(repositoryId, importer.Id, (JsonObject)config.DeepClone()).Registration)];
    }

    public Task<IReadOnlyList<ImporterRegistration>> ListAsync(RepositoryId repositoryId, CancellationToken cancellationToken) =>
        store.ListAsync(repositoryId, cancellationToken);

    public async Task<ImporterRegistration> GetAsync(RepositoryId repositoryId, string importerTypeId, CancellationToken cancellationToken) =>
        (await ListAsync(repositoryId, cancellationToken)).FirstOrDefault(r => r.ImporterTypeId == importerTypeId)
        ?? throw new NotFoundException("importer", importerTypeId);

    public async Task RemoveAsync(RepositoryId repositoryId, string importerTypeId, CancellationToken cancellationToken)
    {
        if (!await store.RemoveAsync(repositoryId, importerTypeId, cancellationToken))
        {
            throw new NotFoundException("importer", importerTypeId);
        }
    }

    private (LoadedImporter Importer, ImporterRegistration Registration) Prepare(RepositoryId repositoryId, string typeId, JsonObject config)
    {
        var importer = catalog.FindImporter(typeId) ?? throw UnknownImporter(typeId);
        importer.Importer.ValidateConfig(config);
        return (importer, new ImporterRegistration { RepositoryId = repositoryId, ImporterTypeId = typeId, Config = config, Registered = clock.GetUtcNow() });
    }

    private ApiException UnknownImporter(string typeId) => new(
        ApiError.UnknownImporterType,
        $"there is no importer '{typeId}'; the loaded importers are {string.Join(", ", catalog.Importers.Select(i => i.Id))}",
        new JsonObject { ["importer_type_id"] = typeId });

    private async Task<ApiException> ConflictAsync(RepositoryId repositoryId, LoadedImporter importer, CancellationToken cancellationToken)
    {
        var clashes = (await store.ListAsync(repositoryId, cancellationToken))
            .Select(existing => (existing.ImporterTypeId, Types: SharedTypes(importer, existing)))
            .Where(c => c.Types.Count > 0)
            .Select(c => $"{c.ImporterTypeId} already imports {string.Join(", ", c.Types)}")
            .ToList();
        return new ApiException(
            ApiError.ImporterTypesConflict,
            $"{importer.Id} cannot be registered on repository '{repositoryId}': {string.Join("; ", clashes)}",
            new JsonObject { ["importer_type_id"] = importer.Id });
    }

    private List<string> SharedTypes(LoadedImporter importer, ImporterRegistration existing) =>
        catalog.FindImporter(existing.ImporterTypeId) is { } other ? SharedTypes(importer, other) : [];

    private static List<string> SharedTypes(LoadedImporter importer, LoadedImporter other) => [.. other.Metadata.Types.Select(t => t.Id).Where(importer.Handles)];
}
