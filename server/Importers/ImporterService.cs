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

    /// <summary>As <see cref="Prepare(RepositoryId, string)"/>, with a configuration the importer must accept.</summary>
    public ImporterRegistration PrepareConfigured(RepositoryId repositoryId, string importerTypeId, JsonObject config) => Prepare(repositoryId, importerTypeId, config).Registration;

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

        if (named.Count == 1 || config.Count == 0)
        {
            return [.. named.Select(importer => Prepare(repositoryId, importer.Id, (JsonObject)config.DeepClone()).Registration)];
        }

        // Pulp 2's one importer config, for the several importers that stand for it: each member that takes it gets it
        // (docker's feed goes to the sync importer, max_manifest_bytes to the manifest importer), the others their
        // defaults; refused, with each member's reason, when none takes it. As a change of the config goes (ChangeConfigAsync).
        var attempts = named.Select(importer => (Importer: importer, Refusal: Refusal(importer.Id, config))).ToList();
        if (attempts.All(a => a.Refusal is not null))
        {
            throw new ContentException(
                ContentError.InvalidConfiguration,
                $"no importer of {importerTypeIdOrGroup} takes this importer_config ({string.Join("; ", attempts.Select(a => $"{a.Importer.Id}: {a.Refusal!.Message}"))})",
                new JsonObject { ["importer_config"] = config.DeepClone() });
        }

        return [.. attempts.Select(a => Prepare(repositoryId, a.Importer.Id, a.Refusal is null ? (JsonObject)config.DeepClone() : []).Registration)];
    }

    public Task<IReadOnlyList<ImporterRegistration>> ListAsync(RepositoryId repositoryId, CancellationToken cancellationToken) =>
        store.ListAsync(repositoryId, cancellationToken);

    public async Task<ImporterRegistration> GetAsync(RepositoryId repositoryId, string importerTypeId, CancellationToken cancellationToken) =>
        (await ListAsync(repositoryId, cancellationToken)).FirstOrDefault(r => r.ImporterTypeId == importerTypeId)
        ?? throw new NotFoundException("importer", importerTypeId);

    /// <summary>Pulp 2's importer update, <c>{"importer_config": {...}}</c> (see <see cref="ChangeConfigAsync"/>).</summary>
    public async Task<ImporterRegistration> UpdateAsync(RepositoryId repositoryId, string importerTypeId, JsonObject body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequestFields.RejectUnknown(body, Body, ContentError.InvalidRequest, "importer_config");
        var delta = RequestFields.OptionalObject(body, "importer_config", Body, ContentError.InvalidRequest)
            ?? throw ApiException.Invalid("request.importer_config is required: an object of the config keys to set (null removes one)");
        return (await ChangeConfigAsync(repositoryId, importerTypeId, (JsonObject)delta.DeepClone(), cancellationToken))[0];
    }

    /// <summary>
    /// Changes the config of the repository's importer <paramref name="importerTypeId"/>, or of every importer it has
    /// (Pulp 2's <c>importer_config</c> on a repository, whose single importer Berth may hold as several, as for
    /// <c>docker_importer</c>), as Pulp 2 does: a key set to null is removed, any other set; each importer must accept its
    /// new config, or none changes.
    /// </summary>
    /// <returns>The registrations changed.</returns>
    public async Task<IReadOnlyList<ImporterRegistration>> ChangeConfigAsync(
        RepositoryId repositoryId, string? importerTypeId, JsonObject delta, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delta);
        return await store.ChangeConfigsAsync(
            repositoryId,
            registrations =>
            {
                var targets = importerTypeId is null ? registrations : [.. registrations.Where(r => r.ImporterTypeId == importerTypeId)];
                if (targets.Count == 0)
                {
                    throw importerTypeId is null
                        ? new ApiException(
                            ApiError.InvalidRequest,
                            $"repository '{repositoryId}' has no importer to configure: register one first (POST /pulp/api/v2/repositories/{repositoryId}/importers/)",
                            new JsonObject { ["importer_config"] = delta.DeepClone() })
                        : new NotFoundException("importer", importerTypeId);
                }

                // Each target's new config, checked. Where several importers stand for Pulp 2's one, the config goes
                // to those that take it (docker's max_manifest_bytes to the manifest importer, say), refused only when none does.
                var attempts = targets.Select(r => r with { Config = Merged(r.Config, delta) }).Select(r => (Registration: r, Refusal: Refusal(r))).ToList();
                if (importerTypeId is not null || attempts.Count == 1)
                {
                    return attempts[0].Refusal is { } refusal ? throw refusal : [attempts[0].Registration];
                }

                var taken = attempts.Where(a => a.Refusal is null).Select(a => a.Registration).ToList();
                return taken.Count > 0
                    ? taken
                    : throw new ContentException(
                        ContentError.InvalidConfiguration,
                        $"no importer of repository '{repositoryId}' takes this importer_config ({string.Join("; ", attempts.Select(a => $"{a.Registration.ImporterTypeId}: {a.Refusal!.Message}"))}); " +
                        "to configure one importer, PUT its config to /pulp/api/v2/repositories/{id}/importers/{importer_type_id}/",
                        new JsonObject { ["importer_config"] = delta.DeepClone() });
            },
            cancellationToken);
    }

    // An importer registered before its plugin was unloaded cannot say what it accepts: nothing is changed blind.
    private ContentException? Refusal(ImporterRegistration changed) => Refusal(changed.ImporterTypeId, changed.Config);

    private ContentException? Refusal(string importerTypeId, JsonObject config)
    {
        var importer = catalog.FindImporter(importerTypeId) ?? throw UnknownImporter(importerTypeId);
        try
        {
            importer.Importer.ValidateConfig(config);
            return null;
        }
        catch (ContentException refused)
        {
            return refused;
        }
    }

    private static JsonObject Merged(JsonObject config, JsonObject delta)
    {
        var merged = (JsonObject)config.DeepClone();
        foreach (var (key, value) in delta)
        {
            if (value is null)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = value.DeepClone();
            }
        }

        return merged;
    }

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
