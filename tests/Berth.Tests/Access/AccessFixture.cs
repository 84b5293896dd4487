using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Berth.Tests.Api;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>A server with helpers to make users and sign in as them.</summary>
public abstract class AccessFixture(ServerKind kind = ServerKind.InProcess, StorageBackend backend = StorageBackend.Default) : ApiFixture(kind, backend)
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

    protected static async Task<string> TokenAsync(HttpClient client, params string[] scopes)
    {
        var query = string.Concat(scopes.Select(s => "&scope=" + Uri.EscapeDataString(s)));
        using var response = await client.GetAsync($"/token?service=berth{query}");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        Assert.That(body["access_token"]!.GetValue<string>(), Is.EqualTo(body["token"]!.GetValue<string>()));
        return body["token"]!.GetValue<string>();
    }

    protected static JsonObject Claims(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        return JsonNode.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=')))!.AsObject();
    }

    protected static IEnumerable<string> Granted(string jwt, string name) =>
        Claims(jwt)["access"]!.AsArray().Where(a => a!["name"]!.GetValue<string>() == name).SelectMany(a => a!["actions"]!.AsArray().Select(x => x!.GetValue<string>()));

    protected HttpClient Bearer(string token)
    {
        var client = AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    protected async Task<string> PushedNameAsync(TestManifest? image = null)
    {
        var name = "team/" + NewRepositoryId();
        await new RegistryClient(Host.CreateClient()).PushImageAsync(name, image ?? TestManifest.DockerImage(), "v1");
        return name;
    }
}
