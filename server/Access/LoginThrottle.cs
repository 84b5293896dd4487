using System.Collections.Concurrent;

namespace Berth.Server.Access;

/// <summary>
/// Slows down password guessing: an address with too many failed sign-ins in the last minute is refused further
/// attempts until the minute has passed (429), whichever API or user name it tries.
/// </summary>
public sealed class LoginThrottle(TimeProvider clock, int maxFailuresPerMinute)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new();

    /// <exception cref="AccessDeniedException">When the address has failed too often lately.</exception>
    public void Check(string address)
    {
        if (_failures.TryGetValue(address, out var failures))
        {
            lock (failures)
            {
                Expire(failures);
                if (failures.Count >= maxFailuresPerMinute)
                {
                    throw new AccessDeniedException(AccessFailure.TooManyAttempts, "too many failed sign-ins from this address; wait a minute and try again");
                }
            }
        }
    }

    public void RecordFailure(string address)
    {
        var failures = _failures.GetOrAdd(address, _ => new Queue<DateTimeOffset>());
        lock (failures)
        {
            Expire(failures);
            failures.Enqueue(clock.GetUtcNow());
        }
    }

    private void Expire(Queue<DateTimeOffset> failures)
    {
        var cutoff = clock.GetUtcNow() - Window;
        while (failures.Count > 0 && failures.Peek() < cutoff)
        {
            failures.Dequeue();
        }
    }
}
