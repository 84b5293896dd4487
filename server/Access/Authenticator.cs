using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Berth.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Berth.Server.Access;

/// <summary>
/// Signs requests in. <c>Basic</c> credentials carry a user's password or one of their API tokens (both APIs);
/// <c>Bearer</c> carries a registry token issued by the token endpoint. A request without credentials is
/// anonymous; credentials that do not sign in are refused, and count against the address's failed attempts.
/// </summary>
public sealed partial class Authenticator(
    IUserStore users, ISignedOutSessionStore signedOut, TokenSigner signer, LoginThrottle throttle, TimeProvider clock, IOptions<BerthOptions> options)
{
    private const string PasswordPrefix = "password:";
    private const string TokenPrefix = "token:";

    // A registry token's audience is the registry's service name; a UI session's is this, so neither passes for the other.
    private const string SessionAudience = "berth web ui session";
    private static readonly TimeSpan VerifiedFor = TimeSpan.FromMinutes(10);

    // What a sign-in as an unknown user is checked against: a real hash with the real cost, matching nothing.
    private static readonly Lazy<string> UnknownUserHash = new(() => PasswordHasher.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));

    // Passwords verified lately (see VerifiedKey).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new();

    // Verifications under way, by the same key: requests sending the same password at once share one (see VerifyOnceAsync).
    private readonly ConcurrentDictionary<string, Lazy<Task<bool>>> _verifying = new();
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);

    public async Task<Caller> AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return Caller.Anonymous;
        }

        var address = context.Connection.RemoteIpAddress;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            // Registry tokens are for registry clients; the content API and the token endpoint take a password or an API token.
            if (!context.Request.Path.StartsWithSegments(Registry.RegistryApi.Root, StringComparison.Ordinal))
            {
                throw new AccessDeniedException(
                    AccessFailure.Unauthenticated, "registry tokens are accepted by the registry API (/v2/) only; sign in with a password or an API token (Basic)");
            }

            return await FromBearerAsync(header[7..].Trim(), context.RequestAborted);
        }

        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || !TryDecodeBasic(header[6..].Trim(), out var login, out var secret))
        {
            throw new AccessDeniedException(AccessFailure.Unauthenticated, "the Authorization header is neither Basic credentials nor a Bearer token");
        }

        return await SignInAsync(login, secret, address, context.RequestAborted)
            ?? throw new AccessDeniedException(AccessFailure.Unauthenticated, "wrong user name, password or token");
    }

    /// <summary>
    /// Signs in with a password or an API token; <see langword="null"/> when they are wrong. Every check counts as an
    /// attempt of <paramref name="login"/> from <paramref name="address"/> while it runs, and as a failure when it
    /// fails (see <see cref="LoginThrottle"/>).
    /// </summary>
    /// <exception cref="AccessDeniedException">When the login (or the address) has failed too often lately.</exception>
    public async Task<Caller?> SignInAsync(string login, string secret, IPAddress? address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);

        var user = await users.FindAsync(login, cancellationToken);
        var token = ApiTokenFormat().Match(secret);
        var verified = token.Success || user is null ? null : VerifiedKey(user, secret);
        if (verified is not null && _verified.TryGetValue(verified, out var until) && until > clock.GetUtcNow())
        {
            // A throttled login must not tell a right guess (accepted) from a wrong one (refused) while its legitimate
            // user keeps signing in elsewhere: a password verified lately is checked against the throttle too, but not
            // counted as an attempt under way, as it guesses nothing (a client sending it on many connections at once
            // would otherwise fill the login's attempts itself).
            throttle.Check(login, address);
            return PasswordCaller(user!);
        }

        if (verified is not null)
        {
            // The verification that requests sending this password share is the attempt, admitted by the throttle once.
            return await VerifyOnceAsync(user!, login, secret, verified, address, cancellationToken) ? PasswordCaller(user!) : null;
        }

        using var attempt = throttle.Begin(login, address);

        Caller? caller;
        if (token.Success)
        {
            var stored = await users.FindTokenAsync(token.Groups["id"].Value, cancellationToken);
            var hash = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Groups["secret"].Value))));
            caller = user is not null && stored is not null && stored.Login == login && stored.Expires > clock.GetUtcNow() &&
                     CryptographicOperations.FixedTimeEquals(hash, Encoding.ASCII.GetBytes(stored.SecretHash))
                ? new Caller { Login = login, Grants = user.Grants, Credential = CredentialKind.ApiToken, Token = stored, CredentialId = TokenCredential(stored.Id) }
                : null;
        }
        else
        {
            // As slow as a wrong password of a real user: the time of a refusal must not tell which logins exist.
            _ = PasswordHasher.Verify(secret, UnknownUserHash.Value);
            caller = null;
        }

        if (caller is null)
        {
            attempt.Fail();
        }

        return caller;
    }

    /// <summary>
    /// A web UI session for a caller who signed in with their password: a token of the server's own signing key (so
    /// that replicas sharing it accept each other's sessions), for the UI's audience only, naming the password. A
    /// changed password or a removed user ends it, as it ends registry tokens issued from the password.
    /// </summary>
    public string IssueSession(Caller caller, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Credential != CredentialKind.Password || caller.Login is null)
        {
            throw new InvalidOperationException("a UI session is issued for a password sign-in only");
        }

        return signer.Issue(caller.Login, SessionAudience, RegistryTokenAccess.None, caller.CredentialId, clock.GetUtcNow(), lifetime);
    }

    /// <summary>The caller a UI session stands for, judged by the user as they are now; <see langword="null"/> when it no longer holds.</summary>
    public async Task<Caller?> FromSessionAsync(string session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (signer.Validate(session, SessionAudience, clock.GetUtcNow()) is not { Login: { } login, Id.Length: > 0 } claims ||
            await users.FindAsync(login, cancellationToken) is not { } user ||
            claims.CredentialId != PasswordCredential(user) ||
            await signedOut.IsSignedOutAsync(claims.Id, cancellationToken))
        {
            return null;
        }

        return PasswordCaller(user);
    }

    /// <summary>Ends a UI session on every server that shares the metadata store: a copy of its cookie is refused from now on.</summary>
    public async Task SignOutAsync(string session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var now = clock.GetUtcNow();
        if (signer.Validate(session, SessionAudience, now) is { Id.Length: > 0 } claims)
        {
            await signedOut.SignOutAsync(claims.Id, claims.Expires, now, cancellationToken);
        }
    }

    private Caller PasswordCaller(User user) =>
        new() { Login = user.Login, Grants = user.Grants, Credential = CredentialKind.Password, CredentialId = PasswordCredential(user) };

    // PBKDF2 is slow by design; a client that sends its password with every request (docker does, with Basic)
    // should pay for it once. Keyed by a keyed hash of the credentials and the stored hash, so a changed
    // password, or another password, never hits.
    private string VerifiedKey(User user, string password) =>
        Convert.ToBase64String(HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes($"{user.Login}\n{user.PasswordHash}\n{password}")));

    /// <summary>
    /// Verifies a user's password, once for all the requests that send it at the same moment: they share one attempt
    /// (see <see cref="LoginThrottle"/>). A client sending its password on many connections to a server that has not
    /// verified it yet (one just started, or a replica its requests had not reached) would otherwise fill the login's
    /// attempts under way itself, and be refused.
    /// </summary>
    private async Task<bool> VerifyOnceAsync(User user, string login, string password, string verifiedKey, IPAddress? address, CancellationToken cancellationToken)
    {
        var flight = _verifying.GetOrAdd(verifiedKey, key => new Lazy<Task<bool>>(() => Task.Run(() =>
        {
            using var attempt = throttle.Begin(login, address);
            var verified = VerifyPassword(user, password, key);
            if (!verified)
            {
                attempt.Fail();
            }

            return verified;
        })));
        try
        {
            return await flight.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (flight.Value.IsCompleted)
            {
                _verifying.TryRemove(KeyValuePair.Create(verifiedKey, flight));
            }
        }
    }

    private bool VerifyPassword(User user, string password, string verifiedKey)
    {
        if (!PasswordHasher.Verify(password, user.PasswordHash))
        {
            return false;
        }

        if (_verified.Count > 10_000)
        {
            _verified.Clear();
        }

        _verified[verifiedKey] = clock.GetUtcNow() + VerifiedFor;
        return true;
    }

    private async Task<Caller> FromBearerAsync(string token, CancellationToken cancellationToken)
    {
        var valid = signer.Validate(token, options.Value.Auth.Service, clock.GetUtcNow())
            ?? throw new AccessDeniedException(AccessFailure.Unauthenticated, "the bearer token is not valid (expired, or not issued by this server)");
        if (valid.Login is null)
        {
            return new Caller { Login = null, Grants = [], Credential = CredentialKind.RegistryToken, Registry = valid.Access };
        }

        // Judged by the user and credential as they are now: a removed grant, a revoked API token or a changed
        // password ends what a registry token issued from them could do, at once.
        var user = await users.FindAsync(valid.Login, cancellationToken)
            ?? throw new AccessDeniedException(AccessFailure.Unauthenticated, "the bearer token's user no longer exists");
        ApiToken? apiToken = null;
        if (valid.CredentialId is { } credential && credential.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            apiToken = await users.FindTokenAsync(credential[TokenPrefix.Length..], cancellationToken);
            if (apiToken is null || apiToken.Login != user.Login || apiToken.Expires <= clock.GetUtcNow())
            {
                throw new AccessDeniedException(AccessFailure.Unauthenticated, "the API token this bearer token was issued from was revoked or has expired; sign in again");
            }
        }
        else if (valid.CredentialId != PasswordCredential(user))
        {
            throw new AccessDeniedException(AccessFailure.Unauthenticated, "the password this bearer token was issued for has changed; sign in again");
        }

        return new Caller
        {
            Login = user.Login,
            Grants = user.Grants,
            Credential = CredentialKind.RegistryToken,
            Token = apiToken,
            Registry = valid.Access,
            CredentialId = valid.CredentialId,
        };
    }

    private string PasswordCredential(User user) => PasswordPrefix + signer.Stamp(user.PasswordHash);

    private static string TokenCredential(string id) => TokenPrefix + id;

    private static bool TryDecodeBasic(string encoded, out string login, out string secret)
    {
        login = secret = string.Empty;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            (login, secret) = (text[..colon], text[(colon + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>API tokens read <c>berth_ID_SECRET</c>: the id finds the stored hash, the secret is checked against it.</summary>
    [GeneratedRegex(@"\Aberth_(?<id>[0-9a-f]{16})_(?<secret>[A-Za-z0-9_-]{43})\z", RegexOptions.CultureInvariant)]
    internal static partial Regex ApiTokenFormat();
}
