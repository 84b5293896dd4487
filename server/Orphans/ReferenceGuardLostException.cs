namespace Berth.Server.Orphans;

/// <summary>
/// The <see cref="ReferenceGuard"/> cannot promise other servers' collection will spare what a piece of work holds
/// (its connection to the shared guard ended, or cannot be made): the work stops before it commits, storing nothing,
/// and the client may try again.
/// </summary>
public sealed class ReferenceGuardLostException(string message, Exception? innerException = null) : Exception(message, innerException);
