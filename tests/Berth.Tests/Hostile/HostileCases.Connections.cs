using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Tests.Support;

namespace Berth.Tests.Hostile;

/// <summary>
/// Bodies from callers who have not signed in, on every endpoint that takes one: refused with 401 before a byte
/// is read (a declared body that never comes is refused at once, not after the body timeout). Uploads past a
/// user's limits, and by a user who may push nowhere (the fixture's <c>victim</c>): refused, on both APIs.
/// </summary>
public static partial class HostileCases
{
    /// <summary>The upload limits the fixture runs with: what <see cref="PrepareConnectionCasesAsync"/> fills.</summary>
    public static readonly IReadOnlyDictionary<string, string> ConnectionSettings = new Dictionary<string, string>
    {
        ["Berth:Uploads:MaxOpenPerUser"] = "3",
        ["Berth:Uploads:MaxBytesPerUser"] = $"{3 * CappedUploadBytes}",
    };

    private const string Capped = "capped";
    private const string CappedPassword = "capped-password-long";
    private const int CappedUploadBytes = 32 * 1024;

    /// <summary>
    /// A user with push on the fixture's repositories whose uploads are at both limits: three open (two uploads and
    /// a registry session, <c>{capped_upload}</c> and <c>{capped_session}</c>) holding all the bytes allowed.
    /// </summary>
    public static async Task PrepareConnectionCasesAsync(ContentApiClient admin, HttpClient anonymous, IDictionary<string, string> placeholders)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(placeholders);
        var user = new JsonObject
        {
            ["login"] = Capped,
            ["password"] = CappedPassword,
            ["grants"] = JsonNode.Parse("""[{"pattern": "hostile*", "actions": ["pull", "push"]}]"""),
        };
        using (var created = await admin.PostJsonAsync("/users/", user))
        {
            await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
        }

        var capped = new ContentApiClient(anonymous.SignIn(Capped, CappedPassword));
        placeholders["{capped_upload}"] = await capped.UploadAsync(new byte[CappedUploadBytes]);
        await capped.UploadAsync(new byte[CappedUploadBytes]);
        var registry = new RegistryClient(capped.Http);
        var session = await registry.StartUploadAsync(placeholders["{name}"]);
        using (var patch = await registry.SendAsync(HttpMethod.Patch, session, new ByteArrayContent(new byte[CappedUploadBytes])))
        {
            if (patch.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"the capped user's session took no bytes: {await patch.Content.ReadAsStringAsync()}");
            }

            placeholders["{capped_session}"] = patch.Headers.Location!.ToString();
        }
    }

    private static IEnumerable<HostileCase> Connections() =>
        AnonymousBodies().Concat(UploadLimits());

    private static IEnumerable<HostileCase> UploadLimits()
    {
        string[] victim = [Authorization("victim", "victim-password-long")];
        string[] capped = [Authorization(Capped, CappedPassword)];
        const string octets = "Content-Type: application/octet-stream";
        return
        [
            Pulp("push nowhere: open an upload", "POST", Api + "/content/uploads/", Forbidden, 403) with { Anonymous = true, Headers = victim },
            Oci("push nowhere: open a registry session", "POST", "/v2/{name}/blobs/uploads/", "DENIED", 403) with { Anonymous = true, Headers = victim },
            Pulp("upload limit: one upload more than allowed", "POST", Api + "/content/uploads/", "BRT0206", 429) with { Anonymous = true, Headers = capped },
            Oci("upload limit: one session more than allowed", "POST", "/v2/{name}/blobs/uploads/", "TOOMANYREQUESTS", 429) with { Anonymous = true, Headers = capped },
            Oci("upload limit: a monolithic blob beyond the uploads allowed", "POST", "/v2/{name}/blobs/uploads/?digest={upload_digest}", "TOOMANYREQUESTS", 429) with
            {
                Body = "0123456789",
                Anonymous = true,
                Headers = [.. capped, octets],
            },
            Pulp("upload limit: a byte more than allowed", "PUT", Api + $"/content/uploads/{{capped_upload}}/{CappedUploadBytes}/", "BRT0207", 403) with
            {
                Body = "x",
                Anonymous = true,
                Headers = capped,
            },
            Pulp("upload limit: declared past the bytes allowed, never sent", "PUT", Api + $"/content/uploads/{{capped_upload}}/{CappedUploadBytes}/", "BRT0207", 403) with
            {
                Body = "x",
                ContentLength = "1000",
                Anonymous = true,
                Headers = capped,
            },
            Pulp("upload limit: chunked past the bytes allowed", "PUT", Api + $"/content/uploads/{{capped_upload}}/{CappedUploadBytes}/", "BRT0207", 403) with
            {
                Body = "2\r\nxy\r\n0\r\n\r\n",
                Chunked = true,
                Anonymous = true,
                Headers = capped,
            },
            Oci("upload limit: a registry chunk past the bytes allowed", "PATCH", "{capped_session}", "DENIED", 403) with
            {
                Body = "x",
                Anonymous = true,
                Headers = [.. capped, octets],
            },
        ];
    }

    private static string Authorization(string login, string password) =>
        "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login}:{password}"));

    private static IEnumerable<HostileCase> AnonymousBodies()
    {
        foreach (var (method, target) in JsonEndpoints)
        {
            yield return Pulp($"anonymous body: {method} {target}", method, target, Unauthenticated, 401) with { Body = "{}", Anonymous = true };
        }

        yield return Pulp("anonymous body: declared 1 MB, never sent, to create a user", "POST", Api + "/users/", Unauthenticated, 401) with
        {
            Body = "{",
            ContentLength = "1000000",
            Anonymous = true,
        };
        yield return Pulp("anonymous body: chunked, to create a user", "POST", Api + "/users/", Unauthenticated, 401) with
        {
            Body = "2\r\n{}\r\n0\r\n\r\n",
            Chunked = true,
            Anonymous = true,
        };
        yield return Pulp("anonymous body: chunked without an end, to a token", "POST", Api + "/users/{user}/tokens/", Unauthenticated, 401) with
        {
            Body = "100\r\n{",
            Chunked = true,
            Anonymous = true,
        };
        yield return Pulp("anonymous body: create an upload", "POST", Api + "/content/uploads/", Unauthenticated, 401) with { Body = "x", Anonymous = true };
        yield return Pulp("anonymous body: declared 1 MB, never sent, to a segment", "PUT", Api + "/content/uploads/{upload}/10/", Unauthenticated, 401) with
        {
            Body = "x",
            ContentLength = "1000000",
            Anonymous = true,
        };
        yield return Pulp("anonymous body: verify", "POST", Api + "/content/actions/verify/", Unauthenticated, 401) with { Body = "{}", Anonymous = true };
        yield return Pulp("anonymous body: status", "GET", Api + "/status/", Unauthenticated, 401) with { Body = "x", Anonymous = true };
        yield return Pulp("anonymous body: liveness", "POST", "/healthz", Unauthenticated, 401) with { Body = "x", Anonymous = true };
        yield return Pulp("anonymous body: readiness", "GET", "/readyz", Unauthenticated, 401) with { Body = "x", Anonymous = true };
        yield return Pulp("anonymous body: metrics", "GET", "/metrics", Unauthenticated, 401) with { Body = "x", Anonymous = true };
        yield return Pulp("anonymous body: a path no endpoint has", "POST", Api + "/no/such/endpoint/", Unauthenticated, 401) with { Body = "x", Anonymous = true };
        yield return Pulp("bad credentials with a body: create a user", "POST", Api + "/users/", Unauthenticated, 401) with
        {
            Body = """{"login":"intruder","password":"long-enough-password"}""",
            Anonymous = true,
            Headers = [Authorization("victim", "wrong-password")],
        };

        const string octets = "Content-Type: application/octet-stream";
        yield return Oci("anonymous body: registry chunk", "PATCH", "{session}", "UNAUTHORIZED", 401) with { Body = "abc", Headers = [octets], Anonymous = true };
        yield return Oci("anonymous body: registry chunk declared 1 MB, never sent", "PATCH", "{session}", "UNAUTHORIZED", 401) with
        {
            Body = "abc",
            ContentLength = "1000000",
            Headers = [octets],
            Anonymous = true,
        };
        yield return Oci("anonymous body: registry chunked chunk", "PATCH", "{session}", "UNAUTHORIZED", 401) with
        {
            Body = "3\r\nabc\r\n0\r\n\r\n",
            Chunked = true,
            Headers = [octets],
            Anonymous = true,
        };
        yield return Oci("anonymous body: complete a session", "PUT", "{session}?digest={upload_digest}", "UNAUTHORIZED", 401) with
        {
            Body = "abc",
            Headers = [octets],
            Anonymous = true,
        };
        yield return Oci("anonymous body: monolithic blob", "POST", "/v2/{name}/blobs/uploads/?digest={upload_digest}", "UNAUTHORIZED", 401) with
        {
            Body = "0123456789",
            Headers = [octets],
            Anonymous = true,
        };
        yield return Oci("anonymous body: manifest", "PUT", "/v2/{name}/manifests/anonymous", "UNAUTHORIZED", 401) with
        {
            Body = "{}",
            Headers = ["Content-Type: application/vnd.oci.image.manifest.v1+json"],
            Anonymous = true,
        };
        yield return Oci("anonymous body: registry path no endpoint has", "PATCH", "/v2/{name}/nothing/here", "UNAUTHORIZED", 401) with { Body = "x", Anonymous = true };
        yield return Oci("anonymous body: token endpoint", "GET", "/token?service=berth&scope=repository:{name}:pull", "UNAUTHORIZED", 401) with
        {
            Body = "x",
            Anonymous = true,
        };
    }
}
