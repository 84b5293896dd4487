namespace Berth.Server.Scheduling;

/// <summary>
/// Background work run every <see cref="Interval"/> while the server runs, on the server that leads those sharing its
/// metadata store unless <see cref="LeaderOnly"/> says otherwise; none when the interval is unset or zero. A failed round is logged and tried again at the next tick: it never stops the schedule for good. What a
/// schedule runs reaches it through <see cref="Hosting.Deferred{TService}"/>: it is made before the server listens,
/// and the data folder is opened only after.
/// </summary>
public abstract class ScheduledWork(ILeadership leadership, TimeProvider clock, ILogger logger) : BackgroundService
{
    /// <summary>Whether only the leading server runs the work; every server does when it concerns what is its own.</summary>
    protected virtual bool LeaderOnly => true;

    /// <summary>Whether this server leads now: for work that every server runs, and only a part of which is the leader's.</summary>
    protected bool IsLeader => leadership.IsLeader;

    /// <summary>What the work is called in log lines.</summary>
    protected abstract string Name { get; }

    protected abstract TimeSpan? Interval { get; }

    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval is not { } interval || interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (LeaderOnly && !leadership.IsLeader)
                {
                    continue;
                }

                // Work that only the leader runs stops when its term ends: the next leader may start it within a second.
                var term = LeaderOnly ? leadership.WhileLeading : CancellationToken.None;
                using var running = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term);
                try
                {
                    await RunOnceAsync(running.Token);
                }
                catch (OperationCanceledException) when (term.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Scheduled {Work} stopped: this server no longer leads scheduled work; the leader runs it now", Name);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Scheduled {Work} failed; it runs again in {Interval}", Name, interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping is no failure. The host knows it when it stops the schedule, but not when it is disposed after
            // a start that failed (an address in use): it would then report the schedule as crashed.
        }
    }
}
