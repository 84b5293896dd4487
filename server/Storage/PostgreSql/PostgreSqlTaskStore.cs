using System.Text.Json.Nodes;
using Berth.Server.Repositories;
using Berth.Server.Tasks;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// Tasks in table <c>tasks</c>. A partial unique index keeps one unended task per repository, so that two servers asked
/// to sync one repository at once store one task and answer it to both.
/// </summary>
public sealed class PostgreSqlTaskStore(PostgreSqlDatabase database) : ITaskStore
{
    private const string Columns = "id, task_type, repo_id, state, worker, created, heartbeat, start_time, finish_time, cancel_requested, progress, result, error";
    private const string Unended = "state IN ('waiting', 'running')";

    public Task<(TaskRecord Task, bool Created)> CreateUnlessBusyAsync(TaskRecord task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return database.WriteAsync<(TaskRecord, bool)>(
            async (connection, transaction) =>
            {
                // The unended task found in the way may end before it is read: then the insert is tried again.
                while (true)
                {
                    var inserted = await WithNewTask(
                            connection.Command(
                            $"""
                            INSERT INTO tasks (id, task_type, repo_id, state, worker, created, heartbeat)
                            VALUES (@id, @type, @repo, @state, @worker, @created, @heartbeat)
                            ON CONFLICT (repo_id) WHERE {Unended} DO NOTHING
                            """,
                            transaction),
                            task)
                        .ExecuteAsync(cancellationToken);
                    if (inserted == 1)
                    {
                        return (task, true);
                    }

                    var busy = await connection.Command($"SELECT {Columns} FROM tasks WHERE repo_id = @repo AND {Unended}", transaction)
                        .With("repo", task.RepositoryId)
                        .FirstOrDefaultAsync(Read, cancellationToken);
                    if (busy is not null)
                    {
                        return (busy, false);
                    }
                }
            },
            cancellationToken);
    }

    public Task<TaskRecord?> FindAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => connection.Command($"SELECT {Columns} FROM tasks WHERE id = @id").With("id", id).FirstOrDefaultAsync(Read, cancellationToken),
            cancellationToken);

    public async Task<IReadOnlyList<TaskRecord>> ListAsync(RepositoryId? repositoryId, IReadOnlyCollection<TaskState>? states, int limit, CancellationToken cancellationToken) =>
        await database.ReadAsync(
            connection => connection.Command(
                    $"""
                    SELECT {Columns} FROM tasks
                    WHERE (@repo::text IS NULL OR repo_id = @repo) AND (@states::text[] IS NULL OR state = ANY(@states))
                    ORDER BY created DESC, id LIMIT @limit
                    """)
                .With("repo", (object?)repositoryId?.Value ?? DBNull.Value)
                .With<object>("states", states is null ? DBNull.Value : states.Select(s => s.Name()).ToArray())
                .With("limit", limit)
                .ListAsync(Read, cancellationToken),
            cancellationToken);

    public Task<bool> StartAsync(string id, string worker, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) => await connection.Command(
                    "UPDATE tasks SET state = 'running', worker = @worker, start_time = @at, heartbeat = @at WHERE id = @id AND state = 'waiting'", transaction)
                .With("id", id)
                .With("worker", worker)
                .WithTime("at", at)
                .ExecuteAsync(cancellationToken) == 1,
            cancellationToken);

    public Task<bool> BeatAsync(string id, string worker, JsonObject? progress, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var running = await connection.Command(
                        """
                        UPDATE tasks SET heartbeat = @at, progress = COALESCE(@progress, progress)
                        WHERE id = @id AND state = 'running' AND worker = @worker
                        RETURNING cancel_requested
                        """,
                        transaction)
                    .With("id", id)
                    .With("worker", worker)
                    .WithTime("at", at)
                    .WithJson("progress", progress)
                    .ListAsync(reader => reader.GetBoolean(0), cancellationToken);

                // No row: the task is no longer this worker's to run.
                return running is not [false];
            },
            cancellationToken);

    public Task RecordEndedAsync(TaskRecord task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!task.State.IsEnded())
        {
            throw new ArgumentException("only an ended task is recorded so", nameof(task));
        }

        return database.WriteAsync(
            async (connection, transaction) => await WithNewTask(
                    connection.Command(
                        """
                        INSERT INTO tasks (id, task_type, repo_id, state, worker, created, heartbeat, start_time, finish_time, result, error)
                        VALUES (@id, @type, @repo, @state, @worker, @created, @heartbeat, @start, @finish, @result, @error)
                        """,
                        transaction),
                    task)
                .With("start", task.StartTime?.ToUniversalTime())
                .With("finish", task.FinishTime?.ToUniversalTime())
                .WithJson("result", task.Result)
                .WithJson("error", task.Error)
                .ExecuteAsync(cancellationToken),
            cancellationToken);
    }

    public Task<int> RemoveEndedAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) => await connection.Command(
                    $"DELETE FROM tasks WHERE created < @before AND finish_time < @before AND NOT ({Unended})", transaction)
                .WithTime("before", finishedBefore)
                .ExecuteAsync(cancellationToken),
            cancellationToken);

    public Task EndAsync(string id, TaskState state, JsonObject? progress, JsonNode? result, JsonObject? error, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) => await connection.Command(
                    $"""
                    UPDATE tasks SET state = @state, finish_time = @at, progress = COALESCE(@progress, progress), result = @result, error = @error
                    WHERE id = @id AND {Unended}
                    """,
                    transaction)
                .With("id", id)
                .With("state", state.Name())
                .WithTime("at", at)
                .WithJson("progress", progress)
                .WithJson("result", result)
                .WithJson("error", error)
                .ExecuteAsync(cancellationToken),
            cancellationToken);

    public Task<TaskRecord?> RequestCancelAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.Command(
                        """
                        UPDATE tasks SET cancel_requested = true,
                            state = CASE WHEN state = 'waiting' THEN 'canceled' ELSE state END,
                            finish_time = CASE WHEN state = 'waiting' THEN @at ELSE finish_time END
                        WHERE id = @id AND state IN ('waiting', 'running')
                        """,
                        transaction)
                    .With("id", id)
                    .WithTime("at", at)
                    .ExecuteAsync(cancellationToken);
                return await connection.Command($"SELECT {Columns} FROM tasks WHERE id = @id", transaction).With("id", id).FirstOrDefaultAsync(Read, cancellationToken);
            },
            cancellationToken);

    public Task<int> EndAbandonedAsync(DateTimeOffset heartbeatBefore, JsonObject error, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) => await connection.Command(
                    $"UPDATE tasks SET state = 'error', finish_time = @at, error = @error WHERE {Unended} AND heartbeat < @before", transaction)
                .WithTime("before", heartbeatBefore)
                .WithTime("at", at)
                .WithJson("error", error)
                .ExecuteAsync(cancellationToken),
            cancellationToken);

    private static TaskRecord Read(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        TaskStates.TryParse(reader.GetString(3), out var state) ? state : throw new InvalidDataException($"task {reader.GetString(0)} has state '{reader.GetString(3)}'"),
        reader.GetString(4),
        reader.GetTime(5),
        reader.GetTime(6),
        reader.GetNullableTime(7),
        reader.GetNullableTime(8),
        reader.GetBoolean(9),
        reader.IsDBNull(10) ? null : reader.GetJson(10).AsObject(),
        reader.IsDBNull(11) ? null : reader.GetJson(11),
        reader.IsDBNull(12) ? null : reader.GetJson(12).AsObject());

    /// <summary>The parameters every new task's row takes: @id, @type, @repo, @state, @worker, @created and @heartbeat.</summary>
    private static NpgsqlCommand WithNewTask(NpgsqlCommand command, TaskRecord task) => command
        .With("id", task.Id)
        .With("type", task.TaskType)
        .With("repo", task.RepositoryId)
        .With("state", task.State.Name())
        .With("worker", task.Worker)
        .WithTime("created", task.Created)
        .WithTime("heartbeat", task.Heartbeat);
}
