using Berth.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Berth.Server.Access;

/// <summary>
/// The registry's <c>WWW-Authenticate</c> challenge: <c>Bearer realm="…/token",service="…",scope="…"</c>, which
/// tells clients where to get a token and for what.
/// </summary>
public static class TokenChallenge
{
    public const string TokenPath = "/token";

    public static string For(HttpContext context, RegistryScope? scope)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.RequestServices.GetRequiredService<IOptions<BerthOptions>>().Value.Auth;
        var realm = options.Realm ?? context.RequestServices.GetRequiredService<TokenRealm>().Default;
        var challenge = $"Bearer realm=\"{realm}\",service=\"{options.Service}\"";
        return scope is null ? challenge : challenge + $",scope=\"{scope}\"";
    }
}
