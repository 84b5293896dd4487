using System.Threading.Channels;
using Berth.Server.Orphans;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// The reference guard's holds and condemnations among servers sharing a PostgreSQL database: session-level advisory
/// locks (shared for holds, exclusive for condemnations) on one connection of this server's own (<c>berth reference
/// guard</c> in <c>pg_stat_activity</c>). One connection keeps what one server took in one place: the database counts
/// a session's locks, so a key held twice here is let go twice; a session never conflicts with itself, which is why
/// the guard's table in this process is asked first. Requests queue and go in batches, one round trip for all that
/// waited meanwhile, so the connection is not the bottleneck of concurrent pushes.
/// </summary>
/// <remarks>
/// When the session ends (the connection broke, the database restarted), the database has let go of everything it
/// held: the generation ends, confirmations of what it held fail, and the next request opens a new session. A request
/// caught by the break is tried once more on the new session, where it has not happened.
/// </remarks>
public sealed partial class PostgreSqlGuardLocks : IGuardLocks, IAsyncDisposable
{
    // Requests taken into one round trip at most: each is a statement of the batch.
    private const int MaxBatch = 256;

    private readonly NpgsqlDataSource _source;
    private readonly ILogger<PostgreSqlGuardLocks> _logger;
    private readonly Channel<Request> _requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private NpgsqlConnection? _connection;
    private long _generation;

    public PostgreSqlGuardLocks(PostgreSqlDatabase database, ILogger<PostgreSqlGuardLocks> logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        _source = database.GuardSource;
        _logger = logger;
        _worker = Task.Run(RunAsync);
    }

    public Task<long?> TryHoldAsync(IReadOnlyList<long> keys, CancellationToken cancellationToken) =>
        TakeAsync(keys, RequestKind.Hold, cancellationToken);

    public Task<long?> TryCondemnAsync(IReadOnlyList<long> keys, CancellationToken cancellationToken) =>
        TakeAsync(keys, RequestKind.Condemn, cancellationToken);

    public void Let(IReadOnlyList<long> keys, bool condemned, long generation)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _requests.Writer.TryWrite(new Request(condemned ? RequestKind.LetCondemned : RequestKind.LetHeld, [.. keys], generation, null));
    }

    public async Task ConfirmAsync(long generation, CancellationToken cancellationToken)
    {
        var request = new Request(RequestKind.Confirm, [], generation, new TaskCompletionSource<long?>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_requests.Writer.TryWrite(request))
        {
            throw Stopped();
        }

        await request.Answer!.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _worker;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private async Task<long?> TakeAsync(IReadOnlyList<long> keys, RequestKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var request = new Request(kind, [.. keys], 0, new TaskCompletionSource<long?>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_requests.Writer.TryWrite(request))
        {
            throw Stopped();
        }

        // A caller that stops waiting leaves the answer unset: whatever the request took is then let go (see Answer).
        await using var registration = cancellationToken.Register(() => request.Answer!.TrySetCanceled(cancellationToken));
        return await request.Answer!.Task;
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        var batch = new List<Request>(MaxBatch);
        try
        {
            while (await _requests.Reader.WaitToReadAsync(stopping))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _requests.Reader.TryRead(out var request))
                {
                    batch.Add(request);
                }

                var undo = new List<Request>();
                await RunBatchAsync(batch, undo, stopping);

                // A refused or abandoned request's partial take is let go at once, before a refused holder asks again.
                if (undo.Count > 0)
                {
                    await RunBatchAsync(undo, [], stopping);
                }
            }
        }
        finally
        {
            while (_requests.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            batch.ForEach(r => r.Answer?.TrySetException(Stopped()));
        }
    }

    private async Task RunBatchAsync(List<Request> batch, List<Request> undo, CancellationToken stopping)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _connection ??= await OpenAsync(stopping);
                var generation = _generation;

                // What a past session took went with it; a confirmation of it fails.
                var current = new List<Request>(batch.Count);
                foreach (var request in batch)
                {
                    if (request.Kind is RequestKind.LetHeld or RequestKind.LetCondemned && request.Generation != generation)
                    {
                        continue;
                    }

                    if (request.Kind == RequestKind.Confirm && request.Generation != generation)
                    {
                        request.Answer!.TrySetException(Lost());
                        continue;
                    }

                    current.Add(request);
                }

                if (current.Count > 0)
                {
                    await ExecuteAsync(_connection, current, generation, undo, stopping);
                }

                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                // Whatever failed (a broken connection, most likely), the session is not trusted any more: a worker that
                // stopped here would leave every hold of the server waiting for an answer.
                await DropConnectionAsync(e);
                if (attempt == 2)
                {
                    foreach (var request in batch)
                    {
                        request.Answer?.TrySetException(new ReferenceGuardLostException(
                            $"the reference guard cannot reach the metadata database ({e.Message}); nothing was stored: try again once the database answers", e));
                    }

                    return;
                }

                // Tried again on a new session, where nothing of the batch happened; what it let go went with the old one.
                batch = [.. batch.Where(r => r.Kind is not (RequestKind.LetHeld or RequestKind.LetCondemned))];
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, List<Request> requests, long generation, List<Request> undo, CancellationToken stopping)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var request in requests)
        {
            var command = new NpgsqlBatchCommand(request.Kind switch
            {
                RequestKind.Hold => "SELECT pg_try_advisory_lock_shared(k) FROM unnest($1::bigint[]) WITH ORDINALITY AS t(k, i) ORDER BY i",
                RequestKind.Condemn => "SELECT pg_try_advisory_lock(k) FROM unnest($1::bigint[]) WITH ORDINALITY AS t(k, i) ORDER BY i",
                RequestKind.LetHeld => "SELECT pg_advisory_unlock_shared(k) FROM unnest($1::bigint[]) AS t(k)",
                RequestKind.LetCondemned => "SELECT pg_advisory_unlock(k) FROM unnest($1::bigint[]) AS t(k)",
                _ => "SELECT true",
            });
            if (request.Kind != RequestKind.Confirm)
            {
                command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = request.Keys });
            }

            batch.BatchCommands.Add(command);
        }

        var answers = new List<bool[]>(requests.Count);
        await using (var reader = await batch.ExecuteReaderAsync(stopping))
        {
            foreach (var request in requests)
            {
                var rows = new List<bool>(request.Keys.Length);
                while (await reader.ReadAsync(stopping))
                {
                    rows.Add(reader.GetBoolean(0));
                }

                answers.Add([.. rows]);
                await reader.NextResultAsync(stopping);
            }
        }

        // Answered only once the whole batch is read: a break halfway leaves every request unanswered, to be tried again.
        for (var i = 0; i < requests.Count; i++)
        {
            Answer(requests[i], answers[i], generation, undo);
        }
    }

    private static void Answer(Request request, bool[] taken, long generation, List<Request> undo)
    {
        if (request.Kind is RequestKind.LetHeld or RequestKind.LetCondemned)
        {
            return;
        }

        if (request.Kind == RequestKind.Confirm)
        {
            request.Answer!.TrySetResult(generation);
            return;
        }

        var all = taken.All(t => t);
        var let = request.Kind == RequestKind.Hold ? RequestKind.LetHeld : RequestKind.LetCondemned;

        // All or none: a partial take is let go, and so is a whole one whose caller stopped waiting.
        if (!(all && request.Answer!.TrySetResult(generation)))
        {
            var held = request.Keys.Where((_, i) => taken[i]).ToArray();
            if (held.Length > 0)
            {
                undo.Add(new Request(let, held, generation, null));
            }

            request.Answer!.TrySetResult(null);
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken stopping)
    {
        var connection = await _source.OpenConnectionAsync(stopping);
        _generation++;
        LogSession(_logger, _generation);
        return connection;
    }

    private async Task DropConnectionAsync(Exception reason)
    {
        if (_connection is not null)
        {
            LogLost(_logger, _generation, reason.Message);
            await _connection.DisposeAsync();
            _connection = null;
        }
    }

    private static ReferenceGuardLostException Lost() => new(
        "this server's session with the reference guard's database ended while the work held what it references, so another server's collection could have taken it; nothing was stored: try again");

    private static ReferenceGuardLostException Stopped() => new("the server is stopping; try again on another");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reference guard session {Generation} opened")]
    private static partial void LogSession(ILogger logger, long generation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reference guard session {Generation} ended ({Reason}): work holding through it fails before committing and may be tried again")]
    private static partial void LogLost(ILogger logger, long generation, string reason);

    private enum RequestKind
    {
        Hold,
        Condemn,
        LetHeld,
        LetCondemned,
        Confirm,
    }

    private sealed record Request(RequestKind Kind, long[] Keys, long Generation, TaskCompletionSource<long?>? Answer);
}
