namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// Makes committed transactions durable in groups: a writer waits for a flush that started after its commit. One
/// flush runs at a time; writers that commit while it runs are covered by the next, which starts as soon as it ends.
/// Under load one flush covers many commits; a writer alone waits for exactly one.
/// </summary>
internal sealed class GroupCommit(Func<long> flush)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = New();
    private long _durable;
    private long _wanted;
    private bool _running;

    /// <summary>Completes when every transaction up to <paramref name="generation"/> is durable.</summary>
    /// <exception cref="Exception">What the flush threw: nothing it would have covered may be acknowledged.</exception>
    public Task DurableAsync(long generation)
    {
        Task flushed;
        var start = false;
        lock (_gate)
        {
            if (_durable >= generation)
            {
                return Task.CompletedTask;
            }

            _wanted = Math.Max(_wanted, generation);
            flushed = _next.Task;
            if (!_running)
            {
                _running = start = true;
            }
        }

        if (start)
        {
            _ = Task.Run(Run);
        }

        return flushed;
    }

    private void Run()
    {
        while (true)
        {
            TaskCompletionSource done;
            lock (_gate)
            {
                // Swapped before the flush reads how far commits have gone: whoever waits on this one committed before
                // now, so the flush covers them; whoever comes later waits on the next.
                done = _next;
                _next = New();
            }

            long covered;
            try
            {
                covered = flush();
            }
            catch (Exception e)
            {
                TaskCompletionSource alsoWaiting;
                lock (_gate)
                {
                    alsoWaiting = _next;
                    _next = New();
                    _wanted = _durable;
                    _running = false;
                }

                done.TrySetException(e);
                alsoWaiting.TrySetException(e);
                return;
            }

            bool more;
            TaskCompletionSource? coveredToo = null;
            lock (_gate)
            {
                _durable = Math.Max(_durable, covered);
                more = _wanted > _durable;
                _running = more;
                if (!more)
                {
                    // Writers that came after the swap but committed before the flush read how far commits had gone
                    // wait on the next flush, yet this one covered them: there will be no next one for them.
                    coveredToo = _next;
                    _next = New();
                }
            }

            done.TrySetResult();
            coveredToo?.TrySetResult();
            if (!more)
            {
                return;
            }
        }
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
