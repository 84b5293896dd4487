using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Berth.Server.Configuration;
using Berth.Server.Errors;
using Berth.Server.Hosting;
using Berth.Server.Repositories;
using Berth.Server.Storage;
using Microsoft.Extensions.Options;

namespace Berth.Server.Tasks;

/// <summary>
/// Runs work as tasks that clients poll: one unended task per repository (a second request is answered the running one),
/// progress and a heartbeat written about once a second, a cancellation asked on any server noticed at the next beat. A
/// task whose server stopped is ended in error by whichever server next sweeps (at its start, and every half heartbeat
/// timeout), so that a crash leaves no task running forever; the same sweep removes tasks ended longer ago than
/// <c>Berth:Tasks:KeepEndedFor</c>.
/// </summary>
public sealed class TaskRunner(
    Deferred<ITaskStore> store, Deferred<IMetadataDatabase> database, StartupGate gate, IOptions<BerthOptions> options, TimeProvider clock, ILogger<TaskRunner> logger)
    : BackgroundService
{
    /// <summary>This server, as a task's <c>worker_name</c> shows it.</summary>
    public static readonly string Worker = $"{Environment.MachineName}/{Environment.ProcessId}";

    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    private TimeSpan Timeout => options.Value.Tasks.HeartbeatTimeout > TimeSpan.Zero ? options.Value.Tasks.HeartbeatTimeout : TimeSpan.FromSeconds(30);

    private TimeSpan BeatInterval => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, Timeout.Ticks / 4));

    /// <summary>
    /// Starts <paramref name="work"/> as a task of the repository, unless it has an unended task: then that one is answered
    /// and nothing starts. What the work reports goes under <paramref name="reporter"/> in the task's progress report.
    /// </summary>
    public async Task<(TaskRecord Task, bool Created)> StartAsync(
        RepositoryId repositoryId, TaskKind kind, string reporter, Func<IProgress<JsonObject>, CancellationToken, Task<JsonNode?>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var now = clock.GetUtcNow();
        var (task, created) = await store.Value.CreateUnlessBusyAsync(
            new TaskRecord(TaskRecord.NewId(), kind.TaskType, repositoryId.Value, TaskState.Waiting, Worker, now, now), cancellationToken);
        if (created)
        {
            // The task outlives the request that asked for it: nothing of the request (its HttpContext, its trace) goes with it.
            // Listed before it starts, so that its end, however soon, finds it to remove.
            using (ExecutionContext.SuppressFlow())
            {
                var run = new Task<Task>(() => RunAsync(task, reporter, work));
                _running[task.Id] = run.Unwrap();
                run.Start(TaskScheduler.Default);
            }
        }

        return (task, created);
    }

    /// <summary>Begins a call that answers with a task finished before the answer (see <see cref="TaskCall"/>).</summary>
    public TaskCall Begin(RepositoryId? repositoryId, TaskKind kind) => new(this, repositoryId, kind, clock.GetUtcNow());

    /// <summary>
    /// Records work that finished before its call is answered as a task that has already ended, so that a client that
    /// polls it, as Pulp 2's clients poll every call Pulp 2 ran as a task, finds it finished with its result.
    /// </summary>
    /// <param name="repositoryId">The repository it worked on; none for work on no repository (orphans).</param>
    /// <param name="kind">What the work was, as Pulp 2 names it.</param>
    /// <param name="started">When the call that did it began.</param>
    /// <param name="result">What the work answered, as the call answers it.</param>
    public async Task<TaskRecord> RecordFinishedAsync(RepositoryId? repositoryId, TaskKind kind, DateTimeOffset started, JsonNode? result)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var now = clock.GetUtcNow();
        var task = new TaskRecord(
            TaskRecord.NewId(), kind.TaskType, repositoryId?.Value ?? "", TaskState.Finished, Worker, started, now, started, now, Result: result?.DeepClone());

        // Not the request's token: the work is done, and its record should be too, even if the client has gone.
        await store.Value.RecordEndedAsync(task, CancellationToken.None);
        return task;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
        try
        {
            await Task.WhenAll(_running.Values).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout passed: what is still running is ended as abandoned by the next sweep.
        }
    }

    // As BackgroundService's own: cancelled, not disposed, since a host may be stopped again after it was disposed (a test
    // host stopped by its factory once the server's own run has ended).
    public override void Dispose()
    {
        _stopping.Cancel();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await gate.OpenedAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping, or start-up failed: there are no tasks to look after.
            return;
        }

        try
        {
            // At start, the embedded store's unended tasks are all a stopped process's; a shared store's may be another server's.
            await SweepAsync(database.Value.IsShared ? null : DateTimeOffset.MaxValue, stoppingToken);
            using var timer = new PeriodicTimer(Timeout / 2, clock);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SweepAsync(null, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task SweepAsync(DateTimeOffset? heartbeatBefore, CancellationToken cancellationToken)
    {
        try
        {
            var now = clock.GetUtcNow();
            var ended = await store.Value.EndAbandonedAsync(
                heartbeatBefore ?? now - Timeout,
                Failure("the server running this task stopped before it ended; start it again (a sync picks up from what was imported)"),
                now,
                cancellationToken);
            if (ended > 0)
            {
                logger.LogWarning("Ended {Count} tasks whose server stopped while they ran", ended);
            }

            var removed = await store.Value.RemoveEndedAsync(now - options.Value.Tasks.KeepEndedFor, cancellationToken);
            if (removed > 0)
            {
                logger.LogDebug("Removed {Count} tasks that ended more than {KeepEndedFor} ago", removed, options.Value.Tasks.KeepEndedFor);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Looking for abandoned tasks failed; trying again in {Interval}", Timeout / 2);
        }
    }

    private async Task RunAsync(TaskRecord task, string reporter, Func<IProgress<JsonObject>, CancellationToken, Task<JsonNode?>> work)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var progress = new LatestProgress(reporter);
        try
        {
            if (!await store.Value.StartAsync(task.Id, Worker, clock.GetUtcNow(), CancellationToken.None))
            {
                return;
            }

            logger.LogInformation("Task {Task} ({Type}) of repository {Repository} started", task.Id, task.TaskType, task.RepositoryId);
            JsonNode? result;
            using (var beats = new CancellationTokenSource())
            {
                var beating = BeatAsync(task.Id, progress, cancel, beats.Token);
                try
                {
                    result = await work(progress, cancel.Token);
                }
                finally
                {
                    await beats.CancelAsync();
                    await beating;
                }
            }

            await EndAsync(task, TaskState.Finished, progress, result, null);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await (_stopping.IsCancellationRequested
                ? EndAsync(task, TaskState.Error, progress, null, Failure("the server stopped while this task ran; start it again (a sync picks up from what was imported)"))
                : EndAsync(task, TaskState.Canceled, progress, null, null));
        }
        catch (Exception e)
        {
            var traceId = Activity.Current?.TraceId.ToString() ?? task.Id;
            if (e is not Berth.Plugins.ContentException)
            {
                logger.LogError(e, "Task {Task} ({Type}) of repository {Repository} failed (trace id {TraceId})", task.Id, task.TaskType, task.RepositoryId, traceId);
            }

            await EndAsync(task, TaskState.Error, progress, null, ContentApiErrors.ForTask(e, traceId));
        }
        finally
        {
            _running.TryRemove(task.Id, out _);
        }
    }

    private async Task BeatAsync(string id, LatestProgress progress, CancellationTokenSource cancel, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(BeatInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    if (await store.Value.BeatAsync(id, Worker, progress.TakeChanged(), clock.GetUtcNow(), stop))
                    {
                        await cancel.CancelAsync();
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Task {Task}: its heartbeat could not be written; trying again", id);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The work ended.
        }
    }

    private async Task EndAsync(TaskRecord task, TaskState state, LatestProgress progress, JsonNode? result, JsonObject? error)
    {
        try
        {
            await store.Value.EndAsync(task.Id, state, progress.TakeChanged(), result, error, clock.GetUtcNow(), CancellationToken.None);
            logger.LogInformation("Task {Task} ({Type}) of repository {Repository} ended: {State}", task.Id, task.TaskType, task.RepositoryId, state.Name());
        }
        catch (Exception e)
        {
            logger.LogError(e, "Task {Task}: its end ({State}) could not be written; it ends as abandoned", task.Id, state.Name());
        }
    }

    private static JsonObject Failure(string message) =>
        ContentApiErrors.ForTask(new Errors.ApiException(ApiError.Unavailable, message, []), "");

    /// <summary>The latest report of the work, wrapped under its reporter, and whether it changed since last written.</summary>
    private sealed class LatestProgress(string reporter) : IProgress<JsonObject>
    {
        private JsonObject? _latest;

        public void Report(JsonObject value) => Volatile.Write(ref _latest, value);

        public JsonObject? TakeChanged()
        {
            var latest = Interlocked.Exchange(ref _latest, null);
            return latest is null ? null : new JsonObject { [reporter] = latest.DeepClone() };
        }
    }
}
