using System.Text.Json.Nodes;

namespace Berth.Server.Tasks;

/// <summary>
/// Pulp 2's call report for work that runs as a task (202 Accepted): the task to poll. A task Berth finished before
/// answering (see <see cref="TaskRunner.RecordFinishedAsync"/>) carries its result here too, so that a client need not
/// poll to learn it; Pulp 2's clients poll, and find the task finished.
/// </summary>
public sealed record TaskCallReport(IReadOnlyList<SpawnedTask> SpawnedTasks, JsonNode? Result = null)
{
    public object? Error => null;

    /// <summary>A call answered with one task.</summary>
    public static IResult Accepted(TaskRecord task, JsonNode? result = null) =>
        TypedResults.Json(new TaskCallReport([SpawnedTask.Of(task)], result), Json.ContentApiJsonContext.Api.TaskCallReport, statusCode: StatusCodes.Status202Accepted);
}
