using System.Text.Json.Nodes;
using Berth.Server.Repositories;

namespace Berth.Server.Tasks;

/// <summary>Where tasks are kept, so that every server sharing the metadata store sees, polls and cancels them.</summary>
public interface ITaskStore
{
    /// <summary>
    /// Stores a new task, unless its repository already has one that has not ended: then that one is answered and nothing
    /// is stored. One check and one write, so that two servers asked at once start one task.
    /// </summary>
    Task<(TaskRecord Task, bool Created)> CreateUnlessBusyAsync(TaskRecord task, CancellationToken cancellationToken);

    /// <summary>Stores a task that has already ended (work finished before its call was answered); no repository is busy for it.</summary>
    Task RecordEndedAsync(TaskRecord task, CancellationToken cancellationToken);

    /// <summary>Removes the ended tasks that finished before <paramref name="finishedBefore"/>; answers how many.</summary>
    Task<int> RemoveEndedAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken);

    Task<TaskRecord?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Tasks newest first, of one repository and in some states when given, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<TaskRecord>> ListAsync(RepositoryId? repositoryId, IReadOnlyCollection<TaskState>? states, int limit, CancellationToken cancellationToken);

    /// <summary>Marks a waiting task running on <paramref name="worker"/>; false when it is no longer waiting (cancelled meanwhile).</summary>
    Task<bool> StartAsync(string id, string worker, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Records a running task's latest progress (when given) and heartbeat. Answers whether it should stop: a client asked
    /// to cancel it, or it is no longer running as this worker's (it was ended as abandoned).
    /// </summary>
    Task<bool> BeatAsync(string id, string worker, JsonObject? progress, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Ends an unended task; an ended one stays as it is.</summary>
    Task EndAsync(string id, TaskState state, JsonObject? progress, JsonNode? result, JsonObject? error, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Asks for a task to be cancelled: a waiting one ends canceled at once, a running one is marked for its server to
    /// stop. Answers the task as it now is; <see langword="null"/> when there is none.
    /// </summary>
    Task<TaskRecord?> RequestCancelAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Ends in error every unended task whose heartbeat is older than <paramref name="heartbeatBefore"/>; answers how many.</summary>
    Task<int> EndAbandonedAsync(DateTimeOffset heartbeatBefore, JsonObject error, DateTimeOffset at, CancellationToken cancellationToken);
}
