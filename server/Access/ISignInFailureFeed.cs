namespace Berth.Server.Access;

/// <summary>
/// Failed sign-ins told to, and heard from, the other servers sharing the metadata store: behind a balancer the
/// throttle then counts a login's failures as one server would, whichever server each guess reached.
/// </summary>
public interface ISignInFailureFeed
{
    /// <summary>
    /// Tells the other servers of a failure here, under the throttle's key for the login and address; in the background,
    /// so that the client's answer never waits for it (a failure to tell is logged).
    /// </summary>
    void Tell(string key);

    /// <summary>Sets what is called with the key of each failure another server told.</summary>
    void Hear(Action<string> heard);
}
