using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Berth.Server.Access;

/// <summary>A user as the users API shows it: never the password hash.</summary>
public sealed record UserResponse(string Login, JsonArray Grants, bool Administrator, DateTimeOffset Created, [property: JsonPropertyName("_href")] string Href)
{
    public static UserResponse From(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(user.Login, UserCommands.Describe(user.Grants), user.IsAdministrator, user.Created, $"{ContentApi.Root}/users/{user.Login}/");
    }
}

/// <summary>An API token as listed: never its secret, which only <see cref="ApiTokenCreatedResponse"/> holds, once.</summary>
public sealed record ApiTokenResponse(string Id, string Name, DateTimeOffset Expires, JsonArray Scope, bool Account, DateTimeOffset Created, [property: JsonPropertyName("_href")] string Href)
{
    public static ApiTokenResponse From(ApiToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new(token.Id, token.Name, token.Expires, UserCommands.Describe(token.Scope), token.Account, token.Created, $"{ContentApi.Root}/users/{token.Login}/tokens/{token.Id}/");
    }
}

/// <summary>A new API token, with its secret: use it as the password of the user it belongs to.</summary>
public sealed record ApiTokenCreatedResponse(string Id, string Name, string Token, DateTimeOffset Expires, JsonArray Scope, bool Account, [property: JsonPropertyName("_href")] string Href);

/// <summary>The token endpoint's answer, in the shape docker and OCI clients read.</summary>
public sealed record RegistryTokenResponse(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("issued_at")] DateTimeOffset IssuedAt);
