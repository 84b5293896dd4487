using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Berth.Server.Repositories;

namespace Berth.Server.Tasks;

/// <summary>
/// A call Pulp 2 runs as a task and Berth finishes before answering (an import, a promotion, a removal, a repository
/// deletion, an orphan removal): begun when the call starts, answered 202 with a task that has already finished and
/// holds the result, which the call report carries too.
/// </summary>
public sealed class TaskCall(TaskRunner runner, RepositoryId? repositoryId, TaskKind kind, DateTimeOffset started)
{
    public async Task<IResult> AnswerAsync<T>(T result, JsonTypeInfo<T> type)
    {
        var json = JsonSerializer.SerializeToNode(result, type);
        var task = await runner.RecordFinishedAsync(repositoryId, kind, started, json);
        return TaskCallReport.Accepted(task, json);
    }

    /// <summary>For work that answers nothing (a deletion): the result is null, as in Pulp 2.</summary>
    public async Task<IResult> AnswerAsync() => TaskCallReport.Accepted(await runner.RecordFinishedAsync(repositoryId, kind, started, null));
}
