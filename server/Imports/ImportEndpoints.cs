using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Events;
using Berth.Server.Json;
using Berth.Server.Membership;
using Berth.Server.OpenApi;
using Berth.Server.Units;
using Microsoft.Extensions.Options;

namespace Berth.Server.Imports;

/// <summary><c>POST /repositories/{repo}/actions/import_upload/</c>: answered when the import is complete.</summary>
public static class ImportEndpoints
{
    public static void MapImportEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost($"{ContentApi.Root}/repositories/{{repo}}/actions/import_upload/", async (
            string repo,
            HttpContext context,
            ImportService service,
            AccessControl access,
            Audit audit,
            EventAnnouncer events,
            UnitTypes types,
            IOptions<BerthOptions> options) =>
        {
            var cancellationToken = context.RequestAborted;
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Push);
            var caller = await access.CallerAsync(context);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, cancellationToken);
            var command = ImportUploadCommand.Read(body);
            var unit = await service.ImportUploadAsync(
                repository.Id,
                command,
                caller.UploadOwner,
                null,
                (work, imported) => events.AnnounceAsync(
                    work, types.IsName(imported) ? EventActions.TagMove : EventActions.Import, repository.Id, name => UnitTargets.Of(name, imported, types)),
                cancellationToken);
            await audit.RecordAsync(context, "import", $"{repository.Id}/{unit.TypeId}/{unit.Key}", command.UploadId is null ? null : $"upload {command.UploadId}");
            return TypedResults.Json(new CallReport<UnitResponse>(UnitResponse.From(unit)), ContentApiJsonContext.Api.CallReportUnitResponse);
        })
            .WithTags("Uploads").WithName("importUpload").WithSummary("Imports an upload (or a unit without bytes) into a repository, through its importer.")
            .Produces<CallReport<UnitResponse>>()
            .ProducesCallerErrors()
            .ProducesNotFound()
            .ProducesBodyErrors()
            .ProducesContentApiErrors(StatusCodes.Status409Conflict);
    }
}
