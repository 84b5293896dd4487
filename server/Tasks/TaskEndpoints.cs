using Berth.Server.Access;
using Berth.Server.Errors;
using Berth.Server.Json;
using Berth.Server.OpenApi;
using Berth.Server.Repositories;

namespace Berth.Server.Tasks;

/// <summary>
/// Pulp 2's tasks API: <c>GET /tasks/</c> (filtered by <c>repository</c>, <c>state</c> or Pulp 2's <c>tag</c>),
/// <c>GET /tasks/{id}/</c> and <c>DELETE /tasks/{id}/</c> to cancel. A caller sees the tasks of the repositories they may
/// pull from, and cancels those of repositories they may push to; a task of a deleted repository is an administrator's.
/// </summary>
public static class TaskEndpoints
{
    private const int MostListed = 1000;
    private const string RepositoryTag = "pulp:repository:";

    public static void MapTaskEndpoints(this IEndpointRouteBuilder routes)
    {
        var tasks = routes.MapGroup($"{ContentApi.Root}/tasks").WithTags("Tasks").ProducesCallerErrors();

        tasks.MapGet("/", async (HttpContext context, AccessControl access, RepositoryService repositories, ITaskStore store, string? repository, string? state, string? tag, int? limit) =>
        {
            var cancellationToken = context.RequestAborted;
            var caller = await access.RequireSignedInAsync(context);
            if (tag is not null && !tag.StartsWith(RepositoryTag, StringComparison.Ordinal))
            {
                throw ApiException.Invalid($"tag must be {RepositoryTag}<repository id>; tasks are tagged by repository");
            }

            var tagged = tag?[RepositoryTag.Length..];
            var repositoryFilter = repository ?? tagged;
            if (repository is not null && tagged is not null && repository != tagged)
            {
                throw ApiException.Invalid("repository and tag name different repositories; give one of them");
            }

            IReadOnlyCollection<TaskState>? states = null;
            if (state is not null)
            {
                states = [.. state.Split(',').Select(s => TaskStates.TryParse(s, out var parsed) ? parsed : throw ApiException.Invalid(
                    $"state '{s}' is not one of waiting, running, finished, error, canceled"))];
            }

            var count = limit ?? MostListed;
            if (count is < 1 or > MostListed)
            {
                throw ApiException.Invalid($"limit must be between 1 and {MostListed}");
            }

            RepositoryId? id = null;
            if (repositoryFilter is not null)
            {
                id = (await access.RepositoryAsync(context, repositoryFilter, AccessAction.Pull)).Id;
            }

            var found = await store.ListAsync(id, states, count, cancellationToken);
            if (!caller.IsAdministrator && id is null)
            {
                var visible = (await repositories.ListAsync(cancellationToken)).Where(r => caller.AllowedOn(r).HasFlag(AccessAction.Pull)).Select(r => r.Id.Value).ToHashSet(StringComparer.Ordinal);
                found = [.. found.Where(t => visible.Contains(t.RepositoryId))];
            }

            return TypedResults.Json(found.Select(TaskResponse.From).ToList(), ContentApiJsonContext.Api.ListTaskResponse);
        })
            .WithName("listTasks").WithSummary("Tasks, newest first: of the repositories the caller may pull from; ?repository= (or Pulp 2's ?tag=pulp:repository:ID), ?state=.")
            .Produces<List<TaskResponse>>()
            .ProducesNotFound();

        tasks.MapGet("/{id}/", async (string id, HttpContext context, AccessControl access, ITaskStore store) =>
        {
            var task = await VisibleAsync(id, context, access, store, AccessAction.Pull);
            return TypedResults.Json(TaskResponse.From(task), ContentApiJsonContext.Api.TaskResponse);
        })
            .WithName("getTask").WithSummary("One task: its state, progress report, result or error.")
            .Produces<TaskResponse>()
            .ProducesNotFound();

        tasks.MapDelete("/{id}/", async (string id, HttpContext context, AccessControl access, ITaskStore store, Audit audit, TimeProvider clock) =>
        {
            var task = await VisibleAsync(id, context, access, store, AccessAction.Push);
            if (!task.State.IsEnded())
            {
                await store.RequestCancelAsync(task.Id, clock.GetUtcNow(), context.RequestAborted);
                await audit.RecordAsync(context, "task.cancel", $"{task.RepositoryId}/{task.Id}");
            }

            // As Pulp 2: the cancellation is asked for (a task already ended stays as it is); the task ends canceled at its next heartbeat.
            return Results.Text("null", "application/json");
        })
            .WithName("cancelTask").WithSummary("Cancels a task: it ends canceled within about a second, keeping what it completed; answers null.")
            .Produces<System.Text.Json.Nodes.JsonNode>()
            .ProducesNotFound();
    }

    /// <summary>The task, for a caller who may do <paramref name="action"/> on its repository; 404 as for a missing one otherwise.</summary>
    private static async Task<TaskRecord> VisibleAsync(string id, HttpContext context, AccessControl access, ITaskStore store, AccessAction action)
    {
        var caller = await access.RequireSignedInAsync(context);
        var task = await store.FindAsync(id, context.RequestAborted) ?? throw new NotFoundException("task", id);
        try
        {
            _ = await access.RepositoryAsync(context, task.RepositoryId, action);
        }
        catch (NotFoundException) when (caller.IsAdministrator || Granted(caller, task.RepositoryId, action))
        {
            // The repository was deleted: its tasks remain records, for administrators and for those whose grants on its
            // id allow the action (the one who deleted it polls the deletion's task, as Pulp 2's clients do).
        }
        catch (NotFoundException)
        {
            throw new NotFoundException("task", id);
        }

        return task;
    }

    private static bool Granted(Caller caller, string repositoryId, AccessAction action) =>
        RepositoryId.TryParse(repositoryId, out var id, out _) && caller.AllowedOnId(id).HasFlag(action);
}
