using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Api;
using Berth.Tests.Support;

namespace Berth.Tests.Access;

/// <summary>A server with helpers to make users and sign in as them.</summary>
public abstract class AccessFixture(ServerKind kind = ServerKind.InProcess) : ApiFixture(kind)
{
    protected const string UserPassword = "user-password-1";

    /// <summary>Creates a user with grants such as <c>("team/*", "pull")</c>; returns their login.</summary>
    protected async Task<string> CreateUserAsync(params (string Pattern, string Actions)[] grants)
    {
        var login = "u" + Guid.NewGuid().ToString("N")[..10];
        var body = new JsonObject
        {
            ["login"] = login,
            ["password"] = UserPassword,
            ["grants"] = new JsonArray([.. grants.Select(g => (JsonNode)new JsonObject
            {
                ["pattern"] = g.Pattern,
                ["actions"] = new JsonArray([.. g.Actions.Split(',').Select(a => JsonValue.Create(a))]),
            })]),
        };
        using var response = await Api.PostJsonAsync("/users/", body);
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        return login;
    }

    protected HttpClient ClientAs(string login, string password = UserPassword) => Host.CreateAnonymousClient().SignIn(login, password);

    protected ContentApiClient ApiAs(string login, string password = UserPassword) => new(ClientAs(login, password));

    protected HttpClient AnonymousClient() => Host.CreateAnonymousClient();

    /// <summary>Creates an API token; returns its secret, to be used as a password.</summary>
    protected async Task<string> CreateTokenAsync(string login, JsonObject body, string? asLogin = null, string? asPassword = null)
    {
        var api = asLogin is null ? Api : ApiAs(asLogin, asPassword ?? UserPassword);
        using var response = await api.PostJsonAsync($"/users/{login}/tokens/", body);
        return (await ContentApiClient.ReadAsync(response, HttpStatusCode.Created))["token"]!.GetValue<string>();
    }
}
