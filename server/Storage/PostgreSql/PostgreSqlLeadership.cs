using Berth.Server.Hosting;
using Berth.Server.Scheduling;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// Among the servers sharing a PostgreSQL database, the one holding a session-level advisory lock leads. Each server
/// tries for the lock every second on a connection of its own (<c>berth leadership</c> in <c>pg_stat_activity</c>);
/// the leader checks its session as often and, when the session is gone, stops leading at once. A leader that stops or
/// dies ends its session, PostgreSQL lets the lock go with it, and another server takes it within a second or two (a
/// machine that vanishes without closing its connection: within the keepalives' ten seconds or so).
/// </summary>
public sealed partial class PostgreSqlLeadership(PostgreSqlDatabase database, StartupGate gate, TimeProvider clock, ILogger<PostgreSqlLeadership> logger)
    : BackgroundService, ILeadership
{
    // pg_try_advisory_lock's key: any constant other Berth locks do not use ("leader" in ASCII).
    private const long LeaderLock = 0x6c6561646572;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private volatile bool _leader;
    private long _term;

    // Never disposed: work still running may hold a token linked to it, and a cancelled source holds nothing else.
    private volatile CancellationTokenSource _whileLeading = Ended();
    private string? _lastProblem;

    public bool IsLeader => _leader;

    public long Term => Interlocked.Read(ref _term);

    public CancellationToken WhileLeading => _whileLeading.Token;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await gate.OpenedAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping, or start-up failed: a server that never opened never leads.
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await using var connection = await database.LeadershipSource.OpenConnectionAsync(stoppingToken);
                    await HoldAsync(connection, stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
                {
                    if (_leader)
                    {
                        EndTerm();
                        LogLost(logger, e.Message);
                    }
                    else if (e.Message != _lastProblem)
                    {
                        // A server that can never try for the lock (a pooler refusing the session's options, say) would
                        // otherwise run no scheduled work without a word.
                        LogCannotTry(logger, e.Message);
                    }

                    _lastProblem = e.Message;
                    await Task.Delay(Interval, clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the connection closes, and the lock goes to another server.
        }
        finally
        {
            EndTerm();
        }
    }

    private static CancellationTokenSource Ended()
    {
        var ended = new CancellationTokenSource();
        ended.Cancel();
        return ended;
    }

    private void EndTerm()
    {
        _leader = false;
        _whileLeading.Cancel();
    }

    private async Task HoldAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        take.Parameters.AddWithValue("key", LeaderLock);
        await using var check = new NpgsqlCommand("SELECT 1", connection);
        while (true)
        {
            if (_leader)
            {
                await check.ExecuteScalarAsync(stoppingToken);
            }
            else if ((bool)(await take.ExecuteScalarAsync(stoppingToken))!)
            {
                Interlocked.Increment(ref _term);
                _whileLeading = new CancellationTokenSource();
                _leader = true;
                _lastProblem = null;
                LogTaken(logger);
            }

            await Task.Delay(Interval, clock, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This server leads scheduled work (orphan collection, retention, event delivery) among those sharing the database")]
    private static partial void LogTaken(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This server cannot try to lead scheduled work ({Reason}); it tries again every second")]
    private static partial void LogCannotTry(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This server no longer leads scheduled work: its leadership session ended ({Reason}); it tries again every second")]
    private static partial void LogLost(ILogger logger, string reason);
}
