using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Berth.Server.Tasks;

/// <summary>
/// A task as Pulp 2 shows it (its task report), which its clients poll until <c>state</c> is an end. <c>error</c> is the
/// content API's error object (code, description, data) or null; <c>result</c> is what the work answered (for a sync, what
/// its importer says it brought), declared as any JSON, since each importer says it its own way.
/// </summary>
public sealed record TaskResponse(
    [property: JsonPropertyName("_href")] string Href,
    string TaskId,
    string TaskType,
    IReadOnlyList<string> Tags,
    string State,
    string WorkerName,
    DateTimeOffset? StartTime,
    DateTimeOffset? FinishTime,
    JsonObject ProgressReport,
    object? Result,
    object? Error)
{
    [JsonPropertyName("_ns")]
    public string Namespace => "task_status";

    public object? Exception => null;

    public object? Traceback => null;

    public IReadOnlyList<SpawnedTask> SpawnedTasks { get; } = [];

    public static TaskResponse From(TaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var kind = TaskKind.Of(task.TaskType);
        // Orphan removal works on no repository.
        IReadOnlyList<string> tags =
        [
            .. task.RepositoryId.Length > 0 ? [$"pulp:repository:{task.RepositoryId}"] : Array.Empty<string>(),
            .. kind.Action.Length > 0 ? [$"pulp:action:{kind.Action}"] : Array.Empty<string>(),
        ];
        return new TaskResponse(
            ContentApi.TaskHref(task.Id),
            task.Id,
            task.TaskType,
            tags,
            task.State.Name(),
            task.Worker,
            task.StartTime,
            task.FinishTime,
            task.ProgressReport ?? [],
            task.Result,
            task.Error);
    }
}
