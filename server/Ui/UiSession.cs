using System.Security.Cryptography;
using Berth.Server.Access;

namespace Berth.Server.Ui;

/// <summary>
/// Who a web UI request is from: the session cookie set at sign-in, and nothing else. The APIs never read the cookie
/// and the UI never reads an Authorization header, so a page on another site can make a browser send neither API
/// credentials to the UI nor the session to an API.
/// </summary>
public sealed class UiSession(Authenticator authenticator, ILogger<UiSession> logger)
{
    public const string CookieName = "berth_session";

    /// <summary>A random value of a browser that has no session, which the sign-in form's token is bound to.</summary>
    public const string VisitorCookieName = "berth_visitor";

    /// <summary>How long a session lasts: a working day, then the password again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private const string SessionKey = "berth.ui.session";

    /// <summary>Signs the request in from its cookie, for paths under <see cref="UiPaths.Root"/>.</summary>
    public async Task UseAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!context.Request.Path.StartsWithSegments(UiPaths.Root, StringComparison.Ordinal))
        {
            await next();
            return;
        }

        UiHeaders.Add(context.Response);
        var caller = Caller.Anonymous;
        if (context.Request.Cookies.TryGetValue(CookieName, out var session) && session.Length is > 0 and < 4096)
        {
            if (await authenticator.FromSessionAsync(session, context.RequestAborted) is { } signedIn)
            {
                caller = signedIn;
                context.Items[SessionKey] = session;
            }
            else
            {
                // Expired, or its password changed: the browser is told to forget it, and the reader signs in again.
                logger.LogDebug("a UI session that no longer holds was presented");
                End(context);
            }
        }

        AccessControl.SignInAs(context, caller);
        if (!caller.IsAuthenticated && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) &&
            !context.Request.Path.Equals(UiPaths.SignIn, StringComparison.Ordinal))
        {
            // A form posted after its session ended changes nothing; its reader is asked to sign in (and nothing of the
            // body is read: the connection closes after this answer).
            context.Response.Headers.Connection = "close";
            context.Response.Redirect(UiPaths.SignInFor(context.Request.Path + context.Request.QueryString), permanent: false, preserveMethod: false);
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            return;
        }

        await next();
    }

    /// <summary>The session cookie's value of this request, when it holds one that signed in.</summary>
    public static string? Current(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(SessionKey, out var value) ? value as string : null;
    }

    /// <summary>Starts a session for a caller who signed in with their password.</summary>
    public void Begin(HttpContext context, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        var session = authenticator.IssueSession(caller, Lifetime);
        context.Response.Cookies.Append(CookieName, session, Options(context, Lifetime));
        context.Items[SessionKey] = session;
    }

    /// <summary>Makes the browser forget its session.</summary>
    public static void End(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(CookieName, Options(context, null));
        context.Items.Remove(SessionKey);
    }

    /// <summary>The browser's visitor value, made and set when it has none.</summary>
    public static string Visitor(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Cookies.TryGetValue(VisitorCookieName, out var visitor) && visitor.Length == 43)
        {
            return visitor;
        }

        if (context.Items.TryGetValue(VisitorCookieName, out var made) && made is string value)
        {
            return value;
        }

        visitor = Base64Url(RandomNumberGenerator.GetBytes(32));
        context.Items[VisitorCookieName] = visitor;
        context.Response.Cookies.Append(VisitorCookieName, visitor, Options(context, null));
        return visitor;
    }

    private static CookieOptions Options(HttpContext context, TimeSpan? lifetime) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = UiPaths.Root,
        MaxAge = lifetime,
        IsEssential = true,
    };

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
