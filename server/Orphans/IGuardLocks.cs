namespace Berth.Server.Orphans;

/// <summary>
/// The part of the <see cref="ReferenceGuard"/> that other servers see: holds and condemnations of keys (hashed to
/// numbers), kept where every server sharing the metadata store can check them. Holds are shared, condemnations
/// exclusive, and both are all or none. What is taken lives in a <em>generation</em>: a connection to the shared
/// place, whose end lets go of everything taken through it; work that took something there confirms before it
/// relies on it that its generation is still the current one.
/// </summary>
public interface IGuardLocks
{
    /// <summary>Holds all of the keys (shared with other holders), or none when another server condemned any.</summary>
    /// <returns>The generation the holds live in, or null when refused.</returns>
    /// <exception cref="ReferenceGuardLostException">When the shared place cannot be reached.</exception>
    Task<long?> TryHoldAsync(IReadOnlyList<long> keys, CancellationToken cancellationToken);

    /// <summary>Condemns all of the keys, or none when any is held (or condemned) by another server.</summary>
    /// <returns>The generation the condemnation lives in, or null when refused.</returns>
    /// <exception cref="ReferenceGuardLostException">When the shared place cannot be reached.</exception>
    Task<long?> TryCondemnAsync(IReadOnlyList<long> keys, CancellationToken cancellationToken);

    /// <summary>Lets go of keys taken in a generation: at once or soon, in order with what is taken after it.</summary>
    void Let(IReadOnlyList<long> keys, bool condemned, long generation);

    /// <summary>Confirms that what was taken in <paramref name="generation"/> is still held.</summary>
    /// <exception cref="ReferenceGuardLostException">When the generation has ended.</exception>
    Task ConfirmAsync(long generation, CancellationToken cancellationToken);
}
