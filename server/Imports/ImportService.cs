using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Content;
using Berth.Server.Errors;
using Berth.Server.Importers;
using Berth.Server.Plugins;
using Berth.Server.Repositories;
using Berth.Server.Units;
using Berth.Server.Uploads;

namespace Berth.Server.Imports;

/// <summary>
/// Routes an <c>import_upload</c> by unit type to the importer registered on the repository that handles it,
/// and answers when the import is complete. A refused import leaves the upload in place for another try; a
/// completed one consumes it.
/// </summary>
public sealed class ImportService(
    IRepositoryStore repositories,
    IImporterRegistrationStore registrations,
    IUnitStore units,
    IContentStore content,
    UploadService uploads,
    PluginCatalog catalog)
{
    /// <summary>
    /// Imports bits that arrived whole with the request (a manifest pushed to the registry) through the same
    /// route and importer as an upload.
    /// </summary>
    public async Task<Unit> ImportContentAsync(
        RepositoryId repositoryId, string unitTypeId, JsonObject unitKey, JsonObject unitMetadata, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        _ = await repositories.FindAsync(repositoryId, cancellationToken) ?? throw ApiException.NotFound("repository", repositoryId.Value);
        var (importer, registration) = await RouteAsync(repositoryId, unitTypeId, cancellationToken);
        var request = new ImportRequest
        {
            UnitTypeId = unitTypeId,
            UnitKey = unitKey,
            UnitMetadata = unitMetadata,
            Config = EffectiveConfig(importer, registration, null),
            Upload = new InMemoryUpload(bytes),
        };
        return await importer.Importer.ImportUploadAsync(request, new RepositoryConduit(repositoryId, units, content), cancellationToken);
    }

    /// <summary>Imports an upload of <paramref name="uploadOwner"/> (<see langword="null"/>: an administrator, any upload).</summary>
    public async Task<Unit> ImportUploadAsync(RepositoryId repositoryId, ImportUploadCommand command, string? uploadOwner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        _ = await repositories.FindAsync(repositoryId, cancellationToken) ?? throw ApiException.NotFound("repository", repositoryId.Value);
        var (importer, registration) = await RouteAsync(repositoryId, command.UnitTypeId, cancellationToken);
        var config = EffectiveConfig(importer, registration, command.OverrideConfig);

        var lease = command.UploadId is null ? null : await uploads.AcquireAsync(command.UploadId, uploadOwner, cancellationToken);
        try
        {
            var request = new ImportRequest
            {
                UnitTypeId = command.UnitTypeId,
                UnitKey = command.UnitKey,
                UnitMetadata = command.UnitMetadata,
                Config = config,
                Upload = lease?.File,
            };
            var unit = await importer.Importer.ImportUploadAsync(request, new RepositoryConduit(repositoryId, units, content), cancellationToken);
            if (lease is not null)
            {
                await uploads.CompleteAsync(lease);
            }

            return unit;
        }
        catch when (lease is { File.IsConsumed: true })
        {
            // The bits reached content storage before the import failed (say, the repository was deleted
            // meanwhile): the upload has nothing left to import again, so it ends here too.
            await uploads.CompleteAsync(lease);
            throw;
        }
        finally
        {
            if (lease is not null)
            {
                await lease.DisposeAsync();
            }
        }
    }

    private async Task<(LoadedImporter Importer, ImporterRegistration Registration)> RouteAsync(
        RepositoryId repositoryId, string unitTypeId, CancellationToken cancellationToken)
    {
        if (catalog.FindUnitType(unitTypeId) is null)
        {
            throw new ApiException(
                ApiError.UnknownUnitType,
                $"unit type '{unitTypeId}' is not known; the loaded importers handle {string.Join(", ", catalog.UnitTypes.Select(t => t.Id))}",
                new JsonObject { ["unit_type_id"] = unitTypeId });
        }

        var registered = await registrations.ListAsync(repositoryId, cancellationToken);
        foreach (var registration in registered)
        {
            if (catalog.FindImporter(registration.ImporterTypeId) is { } importer && importer.Handles(unitTypeId))
            {
                return (importer, registration);
            }
        }

        var needed = string.Join(" or ", catalog.ImportersOfType(unitTypeId).Select(i => i.Id));
        var has = registered.Count == 0 ? "no importers" : "only " + string.Join(", ", registered.Select(r => r.ImporterTypeId));
        throw new ApiException(
            ApiError.NoImporterForType,
            $"repository '{repositoryId}' has {has}, none of which imports {unitTypeId}; register {needed} on it with POST /pulp/api/v2/repositories/{repositoryId}/importers/",
            new JsonObject
            {
                ["unit_type_id"] = unitTypeId,
                ["importers"] = new JsonArray([.. registered.Select(r => JsonValue.Create(r.ImporterTypeId))]),
            });
    }

    /// <summary>The plugin's defaults, overlaid by the repository's registration, overlaid by the call's override.</summary>
    private static JsonObject EffectiveConfig(LoadedImporter importer, ImporterRegistration registration, JsonObject? overrideConfig)
    {
        var config = (JsonObject)importer.DefaultConfig.DeepClone();
        foreach (var layer in new[] { registration.Config, overrideConfig })
        {
            foreach (var (name, value) in layer ?? [])
            {
                config[name] = value?.DeepClone();
            }
        }

        if (overrideConfig is not null)
        {
            importer.Importer.ValidateConfig(config);
        }

        return config;
    }
}
