using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Events;
using Berth.Server.Json;
using Berth.Server.Membership;
using Berth.Server.OpenApi;
using Berth.Server.Tasks;
using Berth.Server.Units;
using Microsoft.Extensions.Options;

namespace Berth.Server.Imports;

/// <summary>
/// <c>POST /repositories/{repo}/actions/import_upload/</c>: answered when the import is complete, as Pulp 2 answers it (202
/// and a task to poll), the task already finished.
/// </summary>
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
            TaskRunner tasks,
            IOptions<BerthOptions> options) =>
        {
            var cancellationToken = context.RequestAborted;
            var repository = await access.RepositoryAsync(context, repo, AccessAction.Push);
            var call = tasks.Begin(repository.Id, TaskKind.ImportUpload);
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
            return await call.AnswerAsync(UnitResponse.From(unit), ContentApiJsonContext.Api.UnitResponse);
        })
            .WithTags("Uploads").WithName("importUpload")
            .WithSummary("Imports an upload (or a unit without bytes) into a repository, through its importer. 202 with the task, already finished; the call report's result is the unit.")
            .Produces<TaskCallReport>(StatusCodes.Status202Accepted)
            .ProducesCallerErrors()
            .ProducesNotFound()
            .ProducesBodyErrors()
            .ProducesContentApiErrors(StatusCodes.Status409Conflict);
    }
}
