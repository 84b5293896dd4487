using System.Text;

namespace Berth.Tests.Hostile;

/// <summary>
/// Bodies from callers who have not signed in, on every endpoint that takes one: refused with 401 before a byte
/// is read (a declared body that never comes is refused at once, not after the body timeout).
/// </summary>
public static partial class HostileCases
{
    private const string Unauthenticated = "BRT0401";

    private static IEnumerable<HostileCase> Connections() =>
        AnonymousBodies();

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
        yield return Pulp("anonymous body: a path no endpoint has", "POST", Api + "/no/such/endpoint/", Unauthenticated, 401) with { Body = "x", Anonymous = true };
        yield return Pulp("bad credentials with a body: create a user", "POST", Api + "/users/", Unauthenticated, 401) with
        {
            Body = """{"login":"intruder","password":"long-enough-password"}""",
            Anonymous = true,
            Headers = ["Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("victim:wrong-password"))],
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
