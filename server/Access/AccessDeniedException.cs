namespace Berth.Server.Access;

/// <summary>Why a request was not allowed.</summary>
public enum AccessFailure
{
    /// <summary>No credentials, or credentials that do not sign in: the client should (re)authenticate.</summary>
    Unauthenticated,

    /// <summary>Signed in, but not allowed to do this.</summary>
    Forbidden,

    /// <summary>Too many failed sign-ins lately, with this login or from this address: try again after <see cref="AccessDeniedException.RetryAfter"/>.</summary>
    TooManyAttempts,
}

/// <summary>A request refused for who made it; each API maps it to its own 401, 403 or 429.</summary>
public sealed class AccessDeniedException : Exception
{
    public AccessDeniedException(AccessFailure failure, string message, RegistryScope? scope = null)
        : this(failure, message, scope is null ? [] : [scope])
    {
    }

    public AccessDeniedException(AccessFailure failure, string message, IReadOnlyList<RegistryScope> scopes)
        : base(message)
    {
        Failure = failure;
        Scopes = scopes;
    }

    /// <summary>A sign-in refused until <paramref name="retryAfter"/> has passed.</summary>
    public static AccessDeniedException TooManyAttempts(string message, TimeSpan retryAfter) =>
        new(AccessFailure.TooManyAttempts, message) { RetryAfter = retryAfter };

    public AccessDeniedException()
        : this(AccessFailure.Unauthenticated, "authentication required")
    {
    }

    public AccessDeniedException(string message)
        : this(AccessFailure.Unauthenticated, message)
    {
    }

    public AccessDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Failure = AccessFailure.Unauthenticated;
        Scopes = [];
    }

    public AccessFailure Failure { get; }

    /// <summary>For <see cref="AccessFailure.TooManyAttempts"/>: how long until a try would be accepted.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>For the registry: the scopes a token would need, for the challenge; none when a better token would not help.</summary>
    public IReadOnlyList<RegistryScope> Scopes { get; }
}
