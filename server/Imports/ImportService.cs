using System.Diagnostics;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Configuration;
using Berth.Server.Content;
using Berth.Server.Diagnostics;
using Berth.Server.Errors;
using Berth.Server.Importers;
using Berth.Server.Membership;
using Berth.Server.Orphans;
using Berth.Server.Plugins;
using Berth.Server.Repositories;
using Berth.Server.Storage;
using Berth.Server.Uploads;
using Docker.Common.Digests;
using Microsoft.Extensions.Options;

namespace Berth.Server.Imports;

/// <summary>
/// Routes an <c>import_upload</c> by unit type to the importer registered on the repository that handles it,
/// and answers when the import is complete. A refused import leaves the upload in place for another try; a
/// completed one consumes it.
/// </summary>
public sealed class ImportService(
    IRepositoryStore repositories,
    IImporterRegistrationStore registrations,
    IContentStore content,
    UploadService uploads,
    PluginCatalog catalog,
    DataLayout layout,
    MembershipService membership,
    ReferenceGuard guard,
    ImportMemoryBudget memoryBudget,
    IOptions<BerthOptions> options)
{
    private const int CopyBufferSize = 1024 * 1024;

    /// <summary>
    /// Imports bits that arrived whole with the request (a manifest pushed to the registry) through the same
    /// route and importer as an upload. The caller holds them under <paramref name="held"/>, which the importer's own
    /// reservation for them draws on instead of waiting for room a second time.
    /// </summary>
    public async Task<Unit> ImportContentAsync(
        RepositoryId repositoryId,
        string unitTypeId,
        JsonObject unitKey,
        JsonObject unitMetadata,
        ReadOnlyMemory<byte> bytes,
        ImportMemoryBudget.Reservation held,
        ImportReport? report,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(held);
        _ = await repositories.FindAsync(repositoryId, cancellationToken) ?? throw new NotFoundException("repository", repositoryId.Value);
        return await ImportAsync(null, repositoryId, unitTypeId, unitKey, unitMetadata, new InMemoryUpload(bytes), held.Bytes, report, cancellationToken);
    }

    /// <summary>
    /// Imports an upload of <paramref name="uploadOwner"/> (<see langword="null"/>: an administrator, any upload); a registry
    /// session names its <paramref name="session"/> claim, by which one that is not stored is found.
    /// </summary>
    public async Task<Unit> ImportUploadAsync(
        RepositoryId repositoryId, ImportUploadCommand command, string? uploadOwner, SessionClaim? session, ImportReport? report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        _ = await repositories.FindAsync(repositoryId, cancellationToken) ?? throw new NotFoundException("repository", repositoryId.Value);
        var (importer, registration) = await RouteAsync(repositoryId, command.UnitTypeId, cancellationToken);
        var (registered, config) = Configs(importer, registration, command.OverrideConfig);

        var lease = command.UploadId is { } uploadId ? await uploads.AcquireAsync(uploadId, uploadOwner, session, cancellationToken) : null;
        try
        {
            var request = new ImportRequest
            {
                UnitTypeId = command.UnitTypeId,
                UnitKey = command.UnitKey,
                UnitMetadata = command.UnitMetadata,
                Config = config,
                RegisteredConfig = registered,
                Limits = Limits,
                Upload = lease?.File,
            };
            // A completed import consumes its upload: the record ends with the import's commit.
            return await ImportInWorkAsync(repositoryId, importer, request, prepaidBytes: 0, async (work, unit) =>
            {
                if (lease is not null)
                {
                    uploads.CompleteWith(lease, work);
                }

                if (report is not null)
                {
                    await report(work, unit);
                }
            }, cancellationToken);
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

    /// <summary>
    /// Imports bits an importer found inside its upload, through the importer the repository has for their type, as part
    /// of the outer import's <paramref name="work"/>: they are staged in a temporary file (hashed on the way, flushed to
    /// disk) that the nested import consumes.
    /// </summary>
    internal async Task<Unit> ImportNestedAsync(
        UnitOfWork work,
        RepositoryId repositoryId, string unitTypeId, Stream bits, JsonObject unitKey, JsonObject unitMetadata, CancellationToken cancellationToken)
    {
        // Refused before a byte is staged when the repository cannot take the type.
        await RequireImporterAsync(repositoryId, unitTypeId, cancellationToken);
        var path = layout.NewTemporaryPath();
        try
        {
            using var session = new UploadSession();
            var calculator = new DigestCalculator(DigestAlgorithm.Sha256);
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                var buffer = new byte[CopyBufferSize];
                int read;
                while ((read = await bits.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    calculator.Append(buffer.AsSpan(0, read));
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                NativeFiles.FlushToDisk(file.SafeFileHandle);
            }

            var length = calculator.Length;
            session.ReplaceSha256(calculator);
            return await ImportAsync(
                work, repositoryId, unitTypeId, unitKey, unitMetadata, new UploadedFile(UploadId.New(), path, length, session), prepaidBytes: 0, report: null, cancellationToken);
        }
        finally
        {
            // Consumed when the bits moved into content storage; otherwise what is left goes.
            File.Delete(path);
        }
    }

    /// <summary>Refuses (400, naming what to register) when the repository has no importer for the unit type.</summary>
    public async Task RequireImporterAsync(RepositoryId repositoryId, string unitTypeId, CancellationToken cancellationToken) =>
        _ = await RouteAsync(repositoryId, unitTypeId, cancellationToken);

    /// <summary>Whether the repository has an importer for the unit type.</summary>
    public async Task<bool> AcceptsAsync(RepositoryId repositoryId, string unitTypeId, CancellationToken cancellationToken) =>
        Route(await registrations.ListAsync(repositoryId, cancellationToken), unitTypeId) is not null;

    /// <summary>Imports a unit without bits (a tag) through the repository's importer for its type.</summary>
    public Task<Unit> ImportWithoutUploadAsync(
        RepositoryId repositoryId, string unitTypeId, JsonObject unitKey, JsonObject unitMetadata, ImportReport? report, CancellationToken cancellationToken) =>
        ImportAsync(null, repositoryId, unitTypeId, unitKey, unitMetadata, null, prepaidBytes: 0, report, cancellationToken);

    /// <summary>The server's ceilings for one import.</summary>
    public ImportLimits Limits => options.Value.Imports.ToImportLimits();

    /// <summary>
    /// Runs what a sync importer makes of one upstream image as one unit of work: its nested imports go through the
    /// repository's importers, and all of it is committed when <paramref name="import"/> returns, none when it throws.
    /// </summary>
    internal async Task<T> ImportAsOneAsync<T>(
        RepositoryId repositoryId, LoadedImporter importer, Func<IImportConduit, CancellationToken, Task<T>> import, CancellationToken cancellationToken)
    {
        _ = await repositories.FindAsync(repositoryId, cancellationToken) ?? throw new NotFoundException("repository", repositoryId.Value);
        using var work = new UnitOfWork();
        var answer = await import(Conduit(work, repositoryId, importer, prepaidBytes: 0), cancellationToken);
        await membership.CommitAsync(work, cancellationToken);
        return answer;
    }

    /// <summary>
    /// Routes an import by unit type to the repository's importer, with its registered configuration; it commits on its
    /// own (reported by <paramref name="report"/>), or as part of an <paramref name="outer"/> import's work, which the outer
    /// import reports.
    /// </summary>
    private async Task<Unit> ImportAsync(
        UnitOfWork? outer,
        RepositoryId repositoryId,
        string unitTypeId,
        JsonObject unitKey,
        JsonObject unitMetadata,
        IUploadedFile? upload,
        long prepaidBytes,
        ImportReport? report,
        CancellationToken cancellationToken)
    {
        var (importer, registration) = await RouteAsync(repositoryId, unitTypeId, cancellationToken);
        var (registered, config) = Configs(importer, registration, null);
        var request = new ImportRequest
        {
            UnitTypeId = unitTypeId,
            UnitKey = unitKey,
            UnitMetadata = unitMetadata,
            Config = config,
            RegisteredConfig = registered,
            Limits = Limits,
            Upload = upload,
        };
        if (outer is not null)
        {
            return await importer.Importer.ImportUploadAsync(request, Conduit(outer, repositoryId, importer, prepaidBytes), cancellationToken);
        }

        return await ImportInWorkAsync(repositoryId, importer, request, prepaidBytes, report, cancellationToken);
    }

    /// <summary>
    /// Runs the importer in a unit of work of its own and commits it (after <paramref name="beforeCommit"/> adds to it,
    /// knowing the unit made); answers the unit as stored.
    /// </summary>
    private async Task<Unit> ImportInWorkAsync(
        RepositoryId repositoryId, LoadedImporter importer, ImportRequest request, long prepaidBytes, ImportReport? beforeCommit, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = ImportOutcome.Failed;
        try
        {
            using var work = new UnitOfWork();
            var unit = await importer.Importer.ImportUploadAsync(request, Conduit(work, repositoryId, importer, prepaidBytes), cancellationToken);
            if (beforeCommit is not null)
            {
                await beforeCommit(work, unit);
            }

            var committed = (await membership.CommitAsync(work, cancellationToken)).Resolve(unit);
            ServerMetrics.Import.RecordSince(started);
            outcome = ImportOutcome.Imported;
            return committed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = ImportOutcome.Canceled;
            throw;
        }
        finally
        {
            ServerMetrics.Imports.Add(1, new("unit_type", request.UnitTypeId), new("outcome", outcome));
        }
    }

    private RepositoryConduit Conduit(UnitOfWork work, RepositoryId repositoryId, LoadedImporter importer, long prepaidBytes) =>
        new(repositoryId, importer.Importer, work, content, this, membership, guard, memoryBudget, prepaidBytes);

    private async Task<(LoadedImporter Importer, ImporterRegistration Registration)> RouteAsync(
        RepositoryId repositoryId, string unitTypeId, CancellationToken cancellationToken)
    {
        if (catalog.FindUnitType(unitTypeId) is null)
        {
            throw new UnknownUnitTypeException(unitTypeId, catalog.UnitTypes.Select(t => t.Id));
        }

        var registered = await registrations.ListAsync(repositoryId, cancellationToken);
        return Route(registered, unitTypeId) ?? throw new NoImporterException(
            repositoryId, unitTypeId, [.. registered.Select(r => r.ImporterTypeId)], [.. catalog.ImportersOfType(unitTypeId).Select(i => i.Id)]);
    }

    /// <summary>The registered importer that handles the unit type, if the repository has one.</summary>
    private (LoadedImporter Importer, ImporterRegistration Registration)? Route(IReadOnlyList<ImporterRegistration> registered, string unitTypeId)
    {
        foreach (var registration in registered)
        {
            if (catalog.FindImporter(registration.ImporterTypeId) is { } importer && importer.Handles(unitTypeId))
            {
                return (importer, registration);
            }
        }

        return null;
    }

    /// <summary>
    /// The plugin's defaults overlaid by the repository's registration (registered), and that overlaid by the call's
    /// override (effective).
    /// </summary>
    internal static (JsonObject Registered, JsonObject Effective) Configs(LoadedImporter importer, ImporterRegistration registration, JsonObject? overrideConfig)
    {
        var registered = Overlay(importer.DefaultConfig, registration.Config);
        if (overrideConfig is null)
        {
            return (registered, (JsonObject)registered.DeepClone());
        }

        var effective = Overlay(registered, overrideConfig);
        importer.Importer.ValidateConfig(effective);
        return (registered, effective);
    }

    private static JsonObject Overlay(JsonObject config, JsonObject? layer)
    {
        var overlaid = (JsonObject)config.DeepClone();
        foreach (var (name, value) in layer ?? [])
        {
            overlaid[name] = value?.DeepClone();
        }

        return overlaid;
    }
}
