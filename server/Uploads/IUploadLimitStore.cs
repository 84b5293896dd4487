namespace Berth.Server.Uploads;

/// <summary>
/// Each user's upload limits (<c>Berth:Uploads</c>) counted in a metadata store that several servers share, where no
/// server's own count can be right: what a user's uploads hold is what the store holds of them, and what their segments
/// are writing anywhere is held by reservations. Checks and the writes they allow happen under one lock per owner, so
/// requests of one user on different servers cannot pass a limit together.
/// </summary>
public interface IUploadLimitStore
{
    /// <summary>How many uploads <paramref name="owner"/> has stored.</summary>
    Task<int> CountOpenAsync(string owner, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="upload"/> unless its owner already has <paramref name="maxOpen"/> uploads stored, checked and
    /// written in one step. An upload without an owner is stored uncounted.
    /// </summary>
    /// <returns><see langword="null"/> when stored; otherwise how many the owner has, and nothing was written.</returns>
    Task<int?> CreateWithinLimitAsync(UploadRequest upload, int maxOpen, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the reservation <paramref name="id"/> of <paramref name="owner"/> (making it, or changing what it holds) to
    /// <paramref name="wanted"/> bytes, or to less, down to <paramref name="atLeast"/>, where more would take what the
    /// owner's stored uploads hold (where their parts end) and their other unexpired reservations past
    /// <paramref name="maxBytes"/>; for <paramref name="lifetime"/> from now. A reservation is what a segment being written
    /// may add; one left by a server that stopped expires.
    /// </summary>
    /// <returns>What the owner held without it, and what it now holds: <see langword="null"/> when even <paramref name="atLeast"/> would pass the limit, and nothing was changed.</returns>
    Task<UploadReservation> ReserveAsync(Guid id, string owner, long atLeast, long wanted, long maxBytes, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>Drops a reservation: its segment has ended, and what it kept, if anything, is held by its upload's parts.</summary>
    Task ReleaseAsync(Guid id, CancellationToken cancellationToken);
}
