using Berth.Server.Access;

namespace Berth.Server.Clients;

/// <summary>
/// Credentials before bodies, on every endpoint: a request that carries a body (a Content-Length above zero, or
/// chunks) is signed in before anything reads a byte of it, and refused with the API's own 401 when it is
/// anonymous or its credentials are wrong. No anonymous client has a body to send (anonymous callers only read:
/// status, tokens, and repositories open to anonymous pulls), so a body from one can only hold a connection and
/// a buffer for nothing.
/// </summary>
public static class AnonymousBodies
{
    /// <summary>
    /// Marks an endpoint that checks the caller's access itself before reading its body, and lets anonymous callers
    /// send one where the repository allows them to read (a unit search of a repository open to anonymous pulls).
    /// Credentials that are sent must still sign in.
    /// </summary>
    public static readonly object Allowed = new AnonymousBodyAllowed();

    public static async Task RefuseAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (RequestBodies.HasBody(context))
        {
            // A refusal closes the connection rather than drain the body (ErrorMiddleware, RequestBodies).
            var access = context.RequestServices.GetRequiredService<AccessControl>();
            if (context.GetEndpoint()?.Metadata.GetMetadata<AnonymousBodyAllowed>() is null)
            {
                await access.RequireSignedInAsync(context);
            }
            else
            {
                await access.CallerAsync(context);
            }
        }

        await next();
    }

    private sealed class AnonymousBodyAllowed;
}
