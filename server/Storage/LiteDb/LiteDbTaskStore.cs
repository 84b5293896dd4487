using System.Text.Json.Nodes;
using Berth.Server.Repositories;
using Berth.Server.Tasks;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// Tasks in collection <c>tasks</c>, by id. The database runs one write at a time, so a create's check for an unended task
/// of the repository and its insert cannot be split by another.
/// </summary>
public sealed class LiteDbTaskStore(LiteDbDatabase database) : ITaskStore
{
    public Task<(TaskRecord Task, bool Created)> CreateUnlessBusyAsync(TaskRecord task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return database.WriteAsync(db =>
        {
            var tasks = db.GetCollection(LiteDbDatabase.Tasks);
            var busy = tasks.Find(Query.EQ("repo_id", task.RepositoryId)).Select(Read).FirstOrDefault(t => !t.State.IsEnded());
            if (busy is not null)
            {
                return (busy, false);
            }

            tasks.Insert(ToDocument(task));
            return (task, true);
        });
    }

    public Task RecordEndedAsync(TaskRecord task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!task.State.IsEnded())
        {
            throw new ArgumentException("only an ended task is recorded so", nameof(task));
        }

        return database.WriteAsync(db => db.GetCollection(LiteDbDatabase.Tasks).Insert(ToDocument(task)));
    }

    public Task<int> RemoveEndedAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken) =>
        database.WriteAsync(db =>
        {
            // A task finished before the cut was created before it too: the index on created finds the candidates.
            var tasks = db.GetCollection(LiteDbDatabase.Tasks);
            var ended = tasks.Find(Query.LT("created", BsonDates.ToBson(finishedBefore)))
                .Select(Read)
                .Where(t => t.State.IsEnded() && t.FinishTime < finishedBefore)
                .Select(t => t.Id)
                .ToList();
            foreach (var id in ended)
            {
                tasks.Delete(id);
            }

            return ended.Count;
        });

    public Task<TaskRecord?> FindAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(db => db.GetCollection(LiteDbDatabase.Tasks).FindById(id) is { } found ? Read(found) : null));

    public Task<IReadOnlyList<TaskRecord>> ListAsync(RepositoryId? repositoryId, IReadOnlyCollection<TaskState>? states, int limit, CancellationToken cancellationToken)
    {
        var found = database.Read(db =>
        {
            // Newest first through the index on created, read only as far as the page needs: imports and removals leave
            // a task each, so there may be many. Tasks created at one instant are all read, then ordered by id.
            var tasks = db.GetCollection(LiteDbDatabase.Tasks);
            if (repositoryId is { } repository)
            {
                return [.. tasks.Find(Query.EQ("repo_id", repository.Value)).Select(Read)
                    .Where(t => states is null || states.Contains(t.State))
                    .OrderByDescending(t => t.Created).ThenBy(t => t.Id, StringComparer.Ordinal)
                    .Take(limit)];
            }

            var page = new List<TaskRecord>();
            foreach (var task in tasks.Find(Query.All("created", Query.Descending)).Select(Read))
            {
                if (page.Count >= limit && task.Created != page[^1].Created)
                {
                    break;
                }

                if (states is null || states.Contains(task.State))
                {
                    page.Add(task);
                }
            }

            return page.OrderByDescending(t => t.Created).ThenBy(t => t.Id, StringComparer.Ordinal).Take(limit).ToList();
        });
        return Task.FromResult<IReadOnlyList<TaskRecord>>(found);
    }

    public Task<bool> StartAsync(string id, string worker, DateTimeOffset at, CancellationToken cancellationToken) =>
        Change(id, t => t.State == TaskState.Waiting ? t with { State = TaskState.Running, Worker = worker, StartTime = at, Heartbeat = at } : null, t => t is not null);

    // A beat need not wait for the disk: one lost with a crash only makes the task look abandoned a second sooner.
    public Task<bool> BeatAsync(string id, string worker, JsonObject? progress, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteWithoutWaitingForDiskAsync(null, db =>
        {
            var tasks = db.GetCollection(LiteDbDatabase.Tasks);
            if (tasks.FindById(id) is not { } document || Read(document) is not { State: TaskState.Running } task || task.Worker != worker)
            {
                return true;
            }

            tasks.Update(ToDocument(task with { Heartbeat = at, ProgressReport = progress ?? task.ProgressReport }));
            return task.CancelRequested;
        });

    public Task EndAsync(string id, TaskState state, JsonObject? progress, JsonNode? result, JsonObject? error, DateTimeOffset at, CancellationToken cancellationToken) =>
        Change(id, t => t.State.IsEnded() ? null : t with { State = state, FinishTime = at, ProgressReport = progress ?? t.ProgressReport, Result = result, Error = error }, _ => true);

    public Task<TaskRecord?> RequestCancelAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(db =>
        {
            var tasks = db.GetCollection(LiteDbDatabase.Tasks);
            if (tasks.FindById(id) is not { } document)
            {
                return null;
            }

            var task = Read(document);
            var asked = task.State switch
            {
                TaskState.Waiting => task with { State = TaskState.Canceled, CancelRequested = true, FinishTime = at },
                TaskState.Running => task with { CancelRequested = true },
                _ => task,
            };
            if (asked != task)
            {
                tasks.Update(ToDocument(asked));
            }

            return asked;
        });

    public Task<int> EndAbandonedAsync(DateTimeOffset heartbeatBefore, JsonObject error, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(db =>
        {
            var tasks = db.GetCollection(LiteDbDatabase.Tasks);
            var abandoned = tasks.Find(Query.Or(Query.EQ("state", TaskState.Waiting.Name()), Query.EQ("state", TaskState.Running.Name())))
                .Select(Read)
                .Where(t => t.Heartbeat < heartbeatBefore)
                .ToList();
            foreach (var task in abandoned)
            {
                tasks.Update(ToDocument(task with { State = TaskState.Error, FinishTime = at, Error = (JsonObject)error.DeepClone() }));
            }

            return abandoned.Count;
        });

    private Task<T> Change<T>(string id, Func<TaskRecord, TaskRecord?> change, Func<TaskRecord?, T> answer) =>
        database.WriteAsync(db =>
        {
            var tasks = db.GetCollection(LiteDbDatabase.Tasks);
            var changed = tasks.FindById(id) is { } document ? change(Read(document)) : null;
            if (changed is not null)
            {
                tasks.Update(ToDocument(changed));
            }

            return answer(changed);
        });

    private static BsonDocument ToDocument(TaskRecord task) => new()
    {
        ["_id"] = task.Id,
        ["task_type"] = task.TaskType,
        ["repo_id"] = task.RepositoryId,
        ["state"] = task.State.Name(),
        ["worker"] = task.Worker,
        ["created"] = BsonDates.ToBson(task.Created),
        ["heartbeat"] = BsonDates.ToBson(task.Heartbeat),
        ["start_time"] = task.StartTime is { } start ? BsonDates.ToBson(start) : BsonValue.Null,
        ["finish_time"] = task.FinishTime is { } finish ? BsonDates.ToBson(finish) : BsonValue.Null,
        ["cancel_requested"] = task.CancelRequested,
        ["progress"] = task.ProgressReport?.ToJsonString() is { } progress ? progress : BsonValue.Null,
        ["result"] = task.Result?.ToJsonString() is { } result ? result : BsonValue.Null,
        ["error"] = task.Error?.ToJsonString() is { } error ? error : BsonValue.Null,
    };

    private static TaskRecord Read(BsonDocument document) => new(
        document["_id"].AsString,
        document["task_type"].AsString,
        document["repo_id"].AsString,
        TaskStates.TryParse(document["state"].AsString, out var state) ? state : throw new InvalidDataException($"task {document["_id"].AsString} has state '{document["state"].AsString}'"),
        document["worker"].AsString,
        BsonDates.FromBson(document["created"]),
        BsonDates.FromBson(document["heartbeat"]),
        BsonDates.FromBsonOrNull(document["start_time"]),
        BsonDates.FromBsonOrNull(document["finish_time"]),
        document["cancel_requested"].AsBoolean,
        document["progress"].IsNull ? null : JsonNode.Parse(document["progress"].AsString)!.AsObject(),
        document["result"].IsNull ? null : JsonNode.Parse(document["result"].AsString),
        document["error"].IsNull ? null : JsonNode.Parse(document["error"].AsString)!.AsObject());
}
