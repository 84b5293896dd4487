using Berth.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Berth.Server.Access;

/// <summary>
/// The registry's <c>WWW-Authenticate</c> challenge: <c>Bearer realm="…/token",service="…",scope="…"</c>, which
/// tells clients where to get a token and for what. Several scopes share the one parameter, separated by spaces
/// (RFC 6750, section 3), as the reference registry writes them.
/// </summary>
public static class TokenChallenge
{
    public const string TokenPath = "/token";

    public static string For(HttpContext context, IReadOnlyList<RegistryScope> scopes)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(scopes);
        var options = context.RequestServices.GetRequiredService<IOptions<BerthOptions>>().Value.Auth;
        var realm = options.Realm ?? context.RequestServices.GetRequiredService<TokenRealm>().Default;
        var challenge = $"Bearer realm=\"{realm}\",service=\"{options.Service}\"";
        return scopes.Count == 0 ? challenge : challenge + $",scope=\"{string.Join(' ', scopes)}\"";
    }
}
