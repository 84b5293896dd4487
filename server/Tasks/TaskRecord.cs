using System.Text.Json.Nodes;

namespace Berth.Server.Tasks;

/// <summary>
/// A task as stored: what it is for, where it is, and what it reported. It outlives its server as a record: a task whose
/// server stopped ends as an error (see <see cref="ITaskStore.EndAbandonedAsync"/>).
/// </summary>
/// <param name="Id">The task id, a GUID's 32 hex digits.</param>
/// <param name="TaskType">Pulp 2's name for the work, such as <c>pulp.server.managers.repo.sync.sync</c>.</param>
/// <param name="RepositoryId">The repository the task works on; one unended task per repository at a time.</param>
/// <param name="State">Where the task is.</param>
/// <param name="Worker">The server running it, by its instance name.</param>
/// <param name="Created">When it was asked for.</param>
/// <param name="Heartbeat">When the running server last said it is still at it.</param>
/// <param name="StartTime">When it started running.</param>
/// <param name="FinishTime">When it ended.</param>
/// <param name="CancelRequested">Whether a client asked to cancel it; the server running it stops at its next heartbeat.</param>
/// <param name="ProgressReport">The latest progress, keyed by the importer that reports it.</param>
/// <param name="Result">For a finished task, what the work answered.</param>
/// <param name="Error">For a task ended in error, the error in the content API's shape.</param>
public sealed record TaskRecord(
    string Id,
    string TaskType,
    string RepositoryId,
    TaskState State,
    string Worker,
    DateTimeOffset Created,
    DateTimeOffset Heartbeat,
    DateTimeOffset? StartTime = null,
    DateTimeOffset? FinishTime = null,
    bool CancelRequested = false,
    JsonObject? ProgressReport = null,
    JsonNode? Result = null,
    JsonObject? Error = null)
{
    public static string NewId() => Guid.NewGuid().ToString("N");
}
