using System.Text;

namespace Berth.Tests.Hostile;

/// <summary>
/// The table of hostile requests, by kind. Every case must be refused with its status and code, in its API's
/// error shape, without a server error and without changing anything the fixture can see.
/// </summary>
public static partial class HostileCases
{
    public const string Api = "/pulp/api/v2";

    private const int PulpBadRequest = 400;
    private const string InvalidRequest = "PLP0015";
    private const string MissingResource = "PLP0009";
    private const string DigestInvalidCode = "BRT0105";
    private const string TooLargeCode = "BRT0413";
    private const string OffsetInvalid = "BRT0205";
    private const string Conflict = "PLP0018";
    private const string RequestTimeout = "BRT0408";
    private const string Unauthenticated = "BRT0401";
    private const string Forbidden = "BRT0403";
    private const string ZeroHex = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Digests that must never parse: every one is refused where a digest is expected.</summary>
    public static readonly IReadOnlyList<(string Label, string Text)> BadDigests =
    [
        ("uppercase hex", "sha256:" + ZeroHex.ToUpperInvariant().Replace('0', 'A')),
        ("unknown algorithm", "md5:d41d8cd98f00b204e9800998ecf8427e"),
        ("too short", "sha256:abc"),
        ("too long", "sha256:" + ZeroHex + "0"),
        ("sha512 length of sha256", "sha512:" + ZeroHex),
        ("no algorithm", ":" + ZeroHex),
        ("no colon", "sha256" + ZeroHex),
        ("empty", ""),
        ("trailing space", "sha256:" + ZeroHex + " "),
        ("path traversal", "sha256:../../../../etc/passwd"),
        ("non-hex", "sha256:" + new string('g', 64)),
    ];

    /// <summary>Bodies that are not one JSON object.</summary>
    private static readonly IReadOnlyList<(string Label, byte[] Bytes)> MalformedJson =
    [
        ("empty body", []),
        ("unterminated object", "{"u8.ToArray()),
        ("array", "[]"u8.ToArray()),
        ("null", "null"u8.ToArray()),
        ("string", "\"text\""u8.ToArray()),
        ("duplicate keys", """{"id":"a","id":"b"}"""u8.ToArray()),
        ("trailing garbage", "{} x"u8.ToArray()),
        ("invalid UTF-8", [(byte)'{', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)':', (byte)'1', (byte)'}']),
        ("nesting 1000 deep", Encoding.ASCII.GetBytes("{\"a\":" + new string('[', 1000) + new string(']', 1000) + "}")),
        ("comment", "{/* hi */}"u8.ToArray()),
        ("single quotes", "{'id':'a'}"u8.ToArray()),
    ];

    private static readonly IReadOnlyList<(string Method, string Target)> JsonEndpoints =
    [
        ("POST", Api + "/repositories/"),
        ("PUT", Api + "/repositories/{repo}/"),
        ("POST", Api + "/repositories/{repo}/importers/"),
        ("POST", Api + "/repositories/{repo}/actions/import_upload/"),
        ("POST", Api + "/repositories/{repo}/search/units/"),
        ("POST", Api + "/users/"),
        ("PUT", Api + "/users/{user}/"),
        ("POST", Api + "/users/{user}/tokens/"),
        ("POST", Api + "/repositories/{repo}/actions/associate/"),
        ("POST", Api + "/repositories/{repo}/actions/unassociate/"),
        ("POST", Api + "/repositories/{repo}/actions/tag_rollback/"),
        ("PUT", Api + "/repositories/{repo}/retention/"),
        ("POST", Api + "/repositories/{repo}/actions/apply_retention/"),
        ("PUT", Api + "/content/units/docker_blob/no-such-unit/pulp_user_metadata/"),
        ("POST", Api + "/repositories/{repo}/actions/sync/"),
    ];

    public static IEnumerable<HostileCase> All() =>
        MalformedJsonBodies()
            .Concat(OversizeBodies())
            .Concat(WrongTypes())
            .Concat(UnitKeyDigests())
            .Concat(ContentApiPaths())
            .Concat(UploadSegments())
            .Concat(LyingFraming())
            .Concat(RegistryNamesAndTags())
            .Concat(RegistryDigests())
            .Concat(RegistryUploads())
            .Concat(RegistryManifests())
            .Concat(RegistryRangesAndPages())
            .Concat(TokenEndpoint())
            .Concat(AccessFindings())
            .Concat(LogsAndPages())
            .Concat(ApiDocumentCases())
            .Concat(Connections())
            .Concat(MemoryCases())
            .Concat(SyncCases())
            .Concat(UiCases());

    private static HostileCase Pulp(string name, string method, string target, string? code = InvalidRequest, int status = PulpBadRequest) =>
        new(name, method, target, status, ErrorShape.Pulp, code);

    private static HostileCase Oci(string name, string method, string target, string code, int status = 400) =>
        new(name, method, target, status, method == "HEAD" ? ErrorShape.OciHead : ErrorShape.Oci, code);

    // Every endpoint but one: apply_retention takes no body at all as a real run, so that a bare POST is enough.
    private static IEnumerable<HostileCase> MalformedJsonBodies() =>
        from endpoint in JsonEndpoints
        from body in MalformedJson
        where !(body.Bytes.Length == 0 && endpoint.Target.EndsWith("/apply_retention/", StringComparison.Ordinal))
        select Pulp($"json {body.Label}: {endpoint.Method} {endpoint.Target}", endpoint.Method, endpoint.Target) with { Bytes = body.Bytes };

    private static IEnumerable<HostileCase> OversizeBodies()
    {
        var oversize = Encoding.ASCII.GetBytes("{\"id\":\"" + new string('a', 1024 * 1024) + "\"}");
        foreach (var (method, target) in JsonEndpoints)
        {
            yield return Pulp($"json over 1 MiB: {method} {target}", method, target, TooLargeCode, 413) with { Bytes = oversize };
        }

        yield return Pulp("json over 1 MiB: POST delete_orphans", "POST", Api + "/content/actions/delete_orphans/", TooLargeCode, 413) with { Bytes = oversize };
        yield return Pulp("json over 1 MiB, chunked without a length", "POST", Api + "/repositories/", TooLargeCode, 413) with
        {
            Bytes = Encoding.ASCII.GetBytes($"{oversize.Length:x}\r\n").Concat(oversize).Concat("\r\n0\r\n\r\n"u8.ToArray()).ToArray(),
            Chunked = true,
        };
        yield return Pulp("json declared over 1 MiB, body never sent", "POST", Api + "/repositories/", TooLargeCode, 413) with
        {
            Body = "{}",
            ContentLength = "104857600",
        };
    }

    private static IEnumerable<HostileCase> WrongTypes()
    {
        var repositories = Api + "/repositories/";
        var repository = Api + "/repositories/{repo}/";
        var importers = Api + "/repositories/{repo}/importers/";
        var import = Api + "/repositories/{repo}/actions/import_upload/";
        var search = Api + "/repositories/{repo}/search/units/";
        var users = Api + "/users/";
        var deleteOrphans = Api + "/content/actions/delete_orphans/";
        var user = Api + "/users/{user}/";
        var tokens = Api + "/users/{user}/tokens/";

        (string Method, string Target, string Body, string? Code)[] cases =
        [
            ("POST", repositories, """{"id":5}""", InvalidRequest),
            ("POST", repositories, """{"id":null}""", InvalidRequest),
            ("POST", repositories, """{"id":""}""", InvalidRequest),
            ("POST", repositories, """{"id":"../escape"}""", InvalidRequest),
            ("POST", repositories, """{"id":"a/b"}""", InvalidRequest),
            ("POST", repositories, """{"id":"with space"}""", InvalidRequest),
            ("POST", repositories, "{\"id\":\"" + new string('a', 300) + "\"}", InvalidRequest),
            ("POST", repositories, """{"id":"ok-id","notes":"not an object"}""", InvalidRequest),
            ("POST", repositories, """{"id":"ok-id","anonymous_pull":"yes"}""", InvalidRequest),
            ("POST", repositories, """{"id":"ok-id","registry_name":"UPPER/case"}""", InvalidRequest),
            ("POST", repositories, """{"id":"ok-id","registry_name":"a/../b"}""", InvalidRequest),
            ("POST", repositories, """{"id":"ok-id","display_name":["x"]}""", InvalidRequest),
            ("POST", repositories, """{"id":"ok-id","unknown":1}""", InvalidRequest),
            ("POST", repositories, """{"id":"{repo}"}""", Conflict),
            ("PUT", repository, """{"delta":[]}""", InvalidRequest),
            ("PUT", repository, """{"delta":{"anonymous_pull":1}}""", InvalidRequest),
            ("PUT", repository, """{"delta":{"registry_name":"Bad Name"}}""", InvalidRequest),
            ("PUT", repository, """{"delta":{"id":"renamed"}}""", InvalidRequest),
            ("PUT", repository, """{"delta":{"notes":7}}""", InvalidRequest),
            ("PUT", repository, """{"importer_config":"x"}""", InvalidRequest),
            ("PUT", repository, """{"importer_config":{"max_manifest_bytes":"huge"}}""", "BRT0101"),
            ("PUT", repository, """{"delta":{},"distributor_configs":{"web":{}}}""", InvalidRequest),
            ("PUT", importers + "docker_manifest_importer/", """{}""", InvalidRequest),
            ("PUT", importers + "docker_manifest_importer/", """{"importer_config":{"max_manifest_bytes":0}}""", "BRT0101"),
            ("PUT", importers + "docker_manifest_importer/", """{"importer_config":{"unknown":1}}""", "BRT0101"),
            ("POST", importers, """{"importer_type_id":1}""", InvalidRequest),
            ("POST", importers, """{}""", InvalidRequest),
            ("POST", importers, """{"importer_type_id":"no_such_importer"}""", "BRT0203"),
            ("POST", importers, """{"importer_type_id":"docker_blob_importer","importer_config":"x"}""", InvalidRequest),
            ("POST", importers, """{"importer_type_id":"docker_blob_importer"}""", Conflict),
            ("POST", import, """{"unit_type_id":5}""", InvalidRequest),
            ("POST", import, """{"upload_id":"{upload}"}""", InvalidRequest),
            ("POST", import, """{"upload_id":"{upload}","unit_type_id":"no_such_type","unit_key":{}}""", "BRT0201"),
            ("POST", import, """{"upload_id":"{upload}","unit_type_id":"docker_blob","unit_key":[]}""", InvalidRequest),
            ("POST", import, """{"upload_id":7,"unit_type_id":"docker_blob","unit_key":{"digest":"{upload_digest}"}}""", InvalidRequest),
            ("POST", import, """{"upload_id":"{upload}","unit_type_id":"docker_blob","unit_key":{"digest":"{upload_digest}"},"extra":1}""", InvalidRequest),
            ("POST", import, """{"upload_id":"{upload}","unit_type_id":"docker_blob","unit_key":{"digest":"{upload_digest}","size":"ten"}}""", "BRT0102"),
            ("POST", import, """{"upload_id":"{upload}","unit_type_id":"docker_blob","unit_key":{"digest":7}}""", "BRT0102"),
            ("POST", import, """{"upload_id":"{upload}","unit_type_id":"docker_blob","unit_key":{"digest":"sha256:""" + ZeroHex + "\"}}", "BRT0106"),
            ("POST", import, """{"upload_id":"{upload}","unit_type_id":"docker_manifest","unit_key":{"digest":"{upload_digest}"}}""", "BRT0108"),
            ("POST", import, """{"upload_id":"{upload}","unit_type_id":"docker_manifest_list","unit_key":{"digest":"{upload_digest}"}}""", "BRT0108"),
            ("POST", import, """{"unit_type_id":"docker_tag","unit_key":{"name":"bad tag!"},"unit_metadata":{"manifest_digest":"{manifest}"}}""", "BRT0111"),
            ("POST", import, """{"unit_type_id":"docker_tag","unit_key":{"name":"-dash"},"unit_metadata":{"manifest_digest":"{manifest}"}}""", "BRT0111"),
            ("POST", import, "{\"unit_type_id\":\"docker_tag\",\"unit_key\":{\"name\":\"" + new string('t', 129) + "\"},\"unit_metadata\":{\"manifest_digest\":\"{manifest}\"}}", "BRT0111"),
            ("POST", import, """{"unit_type_id":"docker_tag","unit_key":{"name":"ok"},"unit_metadata":{"manifest_digest":"sha256:""" + ZeroHex + "\"}}", "BRT0110"),
            ("POST", import, """{"unit_type_id":"docker_tag","unit_key":{"name":"ok"},"unit_metadata":{}}""", "BRT0103"),
            ("POST", import, """{"unit_type_id":"docker_tag","unit_key":{"name":5},"unit_metadata":{"manifest_digest":"{manifest}"}}""", "BRT0102"),
            ("POST", search, """{"criteria":[]}""", InvalidRequest),
            ("POST", search, """{"criteria":{"type_ids":"docker_blob"}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"type_ids":[5]}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"limit":-1}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"skip":"a"}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"limit":1e30}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"limit":1.5}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$where":"1"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"$where":"1"}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$regex":"(?=a)"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$regex":"\\bv1"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$regex":"(a)\\1"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$regex":"[a"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$regex":"a{1000}"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$regex":"[[:alpha:]]"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$regex":5}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$regex":"a","$options":"x"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$options":"i"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$in":"v1"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"size":{"$gt":null}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"size":{"$gt":1e400}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$exists":"yes"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$not":"v1"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"config":{"digest":"x"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":["v1"]}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"a..b":1}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"$and":[]}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"$or":[5]}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":""" + Nested("$and", 12) + "}}}", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{"name":{"$in":[""" + string.Join(",", Enumerable.Range(0, 5001)) + "]}}}}}", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"unit":{""" + string.Join(",", Enumerable.Range(0, 201).Select(i => $"\"f{i}\":1")) + "}}}}", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"association":{"owner":"x"}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"association":{"created":{"$gt":"yesterday"}}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"filters":{"other":{}}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"sort":{"unit":[["name","up"]]}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"sort":{"unit":[["name"]]}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"sort":{"association":[["size","ascending"]]}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"fields":{"unit":[5]}}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"limit":0}}""", InvalidRequest),
            ("POST", search, """{"criteria":{"remove_duplicates":"yes"}}""", InvalidRequest),
            ("POST", Api + "/content/units/docker_tag/search/", """{"criteria":{"filters":{"name":{"$where":"1"}}}}""", InvalidRequest),
            ("POST", Api + "/content/units/docker_tag/search/", """{"criteria":{"type_ids":["docker_tag"]}}""", InvalidRequest),
            ("POST", Api + "/content/units/docker_tag/search/", """{"criteria":{"sort":[["name","sideways"]]}}""", InvalidRequest),
            ("POST", Api + "/content/units/docker_tag/search/", """{"include_repos":1}""", InvalidRequest),
            ("POST", Api + "/users/search/", """{"criteria":{"filters":{"password_hash":"x"}}}""", InvalidRequest),
            ("POST", Api + "/users/search/", """{"criteria":{"filters":{"login":{"$regex":"(?<=a)"}}}}""", InvalidRequest),
            ("POST", Api + "/users/search/", """{"criteria":{"fields":"login"}}""", InvalidRequest),
            ("POST", Api + "/repositories/search/", """{"criteria":{"filters":{"notes.team":{"$regex":"\\1"}}}}""", InvalidRequest),
            ("POST", Api + "/repositories/search/", """{"criteria":{"sort":{"id":1}}}""", InvalidRequest),
            ("POST", Api + "/repositories/search/", """{"criteria":{},"importers":"yes"}""", InvalidRequest),
            ("POST", users, """{"login":5,"password":"long-enough-password"}""", InvalidRequest),
            ("POST", users, """{"login":"../admin","password":"long-enough-password"}""", InvalidRequest),
            ("POST", users, """{"login":"UPPER","password":"long-enough-password"}""", InvalidRequest),
            ("POST", users, """{"login":"someone","password":""}""", InvalidRequest),
            ("POST", users, """{"login":"someone"}""", InvalidRequest),
            ("POST", users, """{"login":"someone","password":"long-enough-password","grants":"all"}""", InvalidRequest),
            ("POST", users, """{"login":"someone","password":"long-enough-password","grants":[{"pattern":"*","actions":["fly"]}]}""", InvalidRequest),
            ("POST", users, """{"login":"someone","password":"long-enough-password","grants":[{"pattern":5}]}""", InvalidRequest),
            ("POST", users, """{"login":"someone","password":"long-enough-password","grants":[{"pattern":"a b","actions":["pull"]}]}""", InvalidRequest),
            ("POST", users, """{"login":"{user}","password":"long-enough-password"}""", Conflict),
            ("PUT", user, """{"delta":{"grants":{}}}""", InvalidRequest),
            ("PUT", user, """{"delta":{"password":7}}""", InvalidRequest),
            ("PUT", user, """{"delta":{"login":"renamed"}}""", InvalidRequest),
            ("POST", tokens, """{"name":5}""", InvalidRequest),
            ("POST", tokens, """{}""", InvalidRequest),
            ("POST", tokens, """{"name":"ci","expires_in_days":-1}""", InvalidRequest),
            ("POST", tokens, """{"name":"ci","expires_in_days":1e9}""", InvalidRequest),
            ("POST", tokens, """{"name":"ci","expires_in_days":"ten"}""", InvalidRequest),
            ("POST", tokens, """{"name":"ci","expires":"yesterday"}""", InvalidRequest),
            ("POST", tokens, """{"name":"ci","expires":"2000-01-01T00:00:00Z"}""", InvalidRequest),
            ("POST", tokens, """{"name":"ci","scope":"everything"}""", InvalidRequest),
            ("POST", tokens, """{"name":"ci","scope":[{"pattern":"*","actions":["root"]}]}""", InvalidRequest),
            ("POST", Api + "/repositories/{repo}/actions/associate/", """{"source_repo_id":"{repo}"}""", InvalidRequest),
            ("POST", Api + "/repositories/{repo}/actions/associate/", """{"source_repo_id":"hostile-other","criteria":{"filters":{"unit":{"digest":{"$where":"1"}}}}}""", InvalidRequest),
            ("POST", Api + "/repositories/{repo}/actions/unassociate/", """{"criteria":{"type_ids":["docker_blob"],"filters":{"unit":{"digest":"{blob}"}}}}""", InvalidRequest),
            ("POST", Api + "/repositories/{repo}/actions/unassociate/", """{"criteria":[]}""", InvalidRequest),
            ("POST", Api + "/repositories/{repo}/actions/tag_rollback/", """{"tag":"v1"}""", InvalidRequest),
            ("POST", Api + "/repositories/{repo}/actions/tag_rollback/", """{"tag":"v1","digest":"{blob}"}""", InvalidRequest),
            ("POST", Api + "/repositories/{repo}/actions/tag_rollback/", """{"tag":5}""", InvalidRequest),
            ("PUT", Api + "/repositories/{repo}/retention/", """{"tags":[{"pattern":"v*"}]}""", InvalidRequest),
            ("PUT", Api + "/repositories/{repo}/retention/", """{"tags":[{"pattern":"v*","keep":1e3}]}""", InvalidRequest),
            ("PUT", Api + "/repositories/{repo}/retention/", """{"untagged_older_than_seconds":-5}""", InvalidRequest),
            ("POST", Api + "/repositories/{repo}/actions/apply_retention/", """{"dry_run":"yes"}""", InvalidRequest),
            ("POST", Api + "/repositories/{repo}/actions/apply_retention/", """{"dry_run":true,"force":true}""", InvalidRequest),
            ("POST", deleteOrphans, "{}", InvalidRequest),
            ("POST", deleteOrphans, "[", InvalidRequest),
            ("POST", deleteOrphans, "null", InvalidRequest),
            ("POST", deleteOrphans, "[] x", InvalidRequest),
            ("POST", deleteOrphans, "[[]]", InvalidRequest),
            ("POST", deleteOrphans, new string('[', 1000) + new string(']', 1000), InvalidRequest),
            ("POST", deleteOrphans, """[{"content_type_id":"docker_blob"}]""", InvalidRequest),
            ("POST", deleteOrphans, """[{"content_type_id":5,"unit_id":"a"}]""", InvalidRequest),
            ("POST", deleteOrphans, """[{"content_type_id":"docker_blob","unit_id":"a","unit_id":"b"}]""", InvalidRequest),
            ("POST", deleteOrphans, """[{"content_type_id":"../../etc","unit_id":"a"}]""", InvalidRequest),
        ];
        return cases.Select(c => Pulp($"wrong type: {c.Method} {c.Target} {c.Body}", c.Method, c.Target, c.Code, c.Code is Conflict ? 409 : 400) with
        {
            Body = c.Body,
        });
    }

    /// <summary>A filter nested <paramref name="depth"/> times in <paramref name="operator"/>.</summary>
    private static string Nested(string @operator, int depth) =>
        Enumerable.Range(0, depth).Aggregate("{\"name\":1}", (inner, _) => $"{{\"{@operator}\":[{inner}]}}");

    private static IEnumerable<HostileCase> UnitKeyDigests()
    {
        var import = Api + "/repositories/{repo}/actions/import_upload/";
        foreach (var (label, digest) in BadDigests)
        {
            var value = System.Text.Json.JsonSerializer.Serialize(digest);
            // An empty digest reads as one left out: the unit key (or metadata) lacks a required field.
            var empty = digest.Length == 0;
            yield return Pulp($"digest {label}: blob unit key", "POST", import, empty ? "BRT0102" : DigestInvalidCode) with
            {
                Body = $$$"""{"upload_id":"{upload}","unit_type_id":"docker_blob","unit_key":{"digest":{{{value}}}}}""",
            };
            yield return Pulp($"digest {label}: manifest unit key", "POST", import, empty ? "BRT0102" : DigestInvalidCode) with
            {
                Body = $$$"""{"upload_id":"{upload}","unit_type_id":"docker_manifest","unit_key":{"digest":{{{value}}}}}""",
            };
            yield return Pulp($"digest {label}: tag's manifest", "POST", import, empty ? "BRT0103" : DigestInvalidCode) with
            {
                Body = $$$"""{"unit_type_id":"docker_tag","unit_key":{"name":"ok"},"unit_metadata":{"manifest_digest":{{{value}}}}}""",
            };
        }
    }

    private static IEnumerable<HostileCase> ContentApiPaths() =>
    [
        Pulp("path: encoded traversal as a repository id", "GET", Api + "/repositories/..%2F..%2Fberth.db/", MissingResource, 404),
        Pulp("path: dot segments escaping the api", "GET", Api + "/repositories/../../../../etc/passwd", MissingResource, 404),
        Pulp("path: encoded dot segments", "GET", Api + "/repositories/%2e%2e/%2e%2e/", MissingResource, 404),
        Pulp("path: traversal as an upload id", "PUT", Api + "/content/uploads/..%2F..%2Fberth.db/0/", MissingResource, 404) with { Body = "x" },
        Pulp("path: traversal as an upload id to delete", "DELETE", Api + "/content/uploads/..%2Fberth.lock/", MissingResource, 404),
        Pulp("path: traversal as an importer id", "DELETE", Api + "/repositories/{repo}/importers/..%2F..%2F/", MissingResource, 404),
        Pulp("path: traversal as a user", "GET", Api + "/users/..%2Fadmin/", MissingResource, 404),
        Pulp("path: traversal as a token id", "DELETE", Api + "/users/{user}/tokens/..%2F..%2F/", MissingResource, 404),
        Pulp("path: unknown repository import", "POST", Api + "/repositories/no-such-repo/actions/import_upload/", MissingResource, 404) with
        {
            Body = """{"upload_id":"{upload}","unit_type_id":"docker_blob","unit_key":{"digest":"{upload_digest}"}}""",
        },
        Pulp("path: unknown upload import", "POST", Api + "/repositories/{repo}/actions/import_upload/", MissingResource, 404) with
        {
            Body = """{"upload_id":"no-such-upload","unit_type_id":"docker_blob","unit_key":{"digest":"{upload_digest}"}}""",
        },
        Pulp("path: upload id that is a path", "POST", Api + "/repositories/{repo}/actions/import_upload/", MissingResource, 404) with
        {
            Body = """{"upload_id":"../berth.db","unit_type_id":"docker_blob","unit_key":{"digest":"{upload_digest}"}}""",
        },
        new HostileCase("path: NUL in a repository id", "GET", Api + "/repositories/a%00b/", 400, ErrorShape.Framing, null),
        Pulp("method: PATCH on repositories", "PATCH", Api + "/repositories/", "BRT0405", 405) with { Body = "{}" },
        Pulp("method: DELETE readiness", "DELETE", "/readyz", "BRT0405", 405),
        Pulp("method: PUT liveness", "PUT", "/healthz", "BRT0405", 405) with { Body = "{}" },
        Pulp("method: POST metrics", "POST", "/metrics", "BRT0405", 405) with { Body = "{}" },
        Pulp("method: DELETE metrics", "DELETE", "/metrics", "BRT0405", 405),
        Pulp("method: PUT metrics, with a query", "PUT", "/metrics?name[]=berth_http_requests_total&x=%00", "BRT0405", 405) with { Body = "x" },
        Pulp("method: DELETE metrics, odd Accept", "DELETE", "/metrics", "BRT0405", 405) with
        {
            Headers = ["Accept: application/openmetrics-text; version=99.0; q=zz, */*;;;"],
        },
        Pulp("path: below metrics", "GET", "/metrics/x/../../metrics/more", MissingResource, 404),
        Pulp("anonymous: create a repository", "POST", Api + "/repositories/", "BRT0401", 401) with { Body = """{"id":"anon"}""", Anonymous = true },
        Pulp("anonymous: upload a segment", "PUT", Api + "/content/uploads/{upload}/10/", "BRT0401", 401) with { Body = "x", Anonymous = true },
        Pulp("bad credentials: create a repository", "POST", Api + "/repositories/", "BRT0401", 401) with
        {
            Body = """{"id":"anon"}""",
            Anonymous = true,
            Headers = ["Authorization: Basic bm90OmJhc2U2NA=!!"],
        },
        Pulp("bad credentials: unknown scheme", "POST", Api + "/repositories/", "BRT0401", 401) with
        {
            Body = """{"id":"anon"}""",
            Anonymous = true,
            Headers = ["Authorization: Negotiate abc"],
        },
    ];

    private static IEnumerable<HostileCase> UploadSegments()
    {
        var upload = Api + "/content/uploads/{upload}/";
        return
        [
            Pulp("offset: negative", "PUT", upload + "-1/", OffsetInvalid) with { Body = "x" },
            Pulp("offset: not a number", "PUT", upload + "abc/", OffsetInvalid) with { Body = "x" },
            Pulp("offset: plus sign", "PUT", upload + "+5/", OffsetInvalid) with { Body = "x" },
            Pulp("offset: hex", "PUT", upload + "0x5/", OffsetInvalid) with { Body = "x" },
            Pulp("offset: overflows a long", "PUT", upload + "99999999999999999999/", OffsetInvalid) with { Body = "x" },
            Pulp("offset: past the end leaves a gap", "PUT", upload + "11/", OffsetInvalid) with { Body = "x" },
            Pulp("offset: at long.MaxValue", "PUT", upload + "9223372036854775807/", OffsetInvalid) with { Body = "xy" },
            Pulp("upload: over the maximum size", "PUT", upload + "10/", TooLargeCode, 413) with { Bytes = new byte[HostileInputTests.MaxUploadBytes] },
            Pulp("upload: declared over the maximum size", "PUT", upload + "10/", TooLargeCode, 413) with
            {
                Body = "x",
                ContentLength = "1099511627776",
            },
            Pulp("upload: chunked over the maximum size", "PUT", upload + "0/", TooLargeCode, 413) with
            {
                Bytes = Encoding.ASCII.GetBytes($"{HostileInputTests.MaxUploadBytes + 1:x}\r\n")
                    .Concat(new byte[HostileInputTests.MaxUploadBytes + 1]).Concat("\r\n0\r\n\r\n"u8.ToArray()).ToArray(),
                Chunked = true,
            },
            Pulp("upload: unknown id", "PUT", Api + "/content/uploads/0123456789abcdef0123456789abcdef/0/", MissingResource, 404) with { Body = "x" },
        ];
    }

    private static IEnumerable<HostileCase> LyingFraming()
    {
        var segment = Api + "/content/uploads/{upload}/10/";
        var patch = "{session}";
        return
        [
            // A body shorter than its Content-Length leaves the server waiting for bytes that never come: the
            // minimum data rate ends the wait with a 408. (A client that half-closes instead is taken by Kestrel as
            // gone: no answer, and nothing kept; see HalfClosedLyingBody_KeepsNothing.)
            Pulp("framing: segment shorter than its Content-Length", "PUT", segment, RequestTimeout, 408) with { Body = "only ten b", ContentLength = "1000" },
            Pulp("framing: segment rewriting the start, shorter than declared", "PUT", Api + "/content/uploads/{upload}/0/", RequestTimeout, 408) with
            {
                Body = "XXXXX",
                ContentLength = "10",
            },
            Pulp("framing: json shorter than its Content-Length", "POST", Api + "/repositories/", RequestTimeout, 408) with
            {
                Body = """{"id":"half"}""",
                ContentLength = "500",
            },
            Pulp("framing: bad chunk size", "PUT", segment) with { Body = "zz\r\nabc\r\n0\r\n\r\n", Chunked = true },
            Pulp("framing: chunk longer than its size", "PUT", segment) with { Body = "2\r\nabcdef\r\n0\r\n\r\n", Chunked = true },
            Pulp("framing: chunked body that stops", "PUT", segment, RequestTimeout, 408) with { Body = "a\r\nabc", Chunked = true },
            Pulp("framing: chunk size overflowing", "PUT", segment) with { Body = "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n", Chunked = true },
            Oci("framing: registry chunk shorter than its Content-Length", "PATCH", patch, "UNSUPPORTED", 408) with
            {
                Body = "abc",
                ContentLength = "100",
                Headers = ["Content-Type: application/octet-stream"],
            },
            Oci("framing: registry chunk with bad chunk framing", "PATCH", patch, "UNSUPPORTED") with
            {
                Body = "zz\r\nabc\r\n0\r\n\r\n",
                Chunked = true,
            },
            Oci("framing: manifest shorter than its Content-Length", "PUT", "/v2/{name}/manifests/cut", "UNSUPPORTED", 408) with
            {
                Body = "{\"schemaVersion\":2",
                ContentLength = "4000",
                Headers = ["Content-Type: application/vnd.oci.image.manifest.v1+json"],
            },
            new HostileCase("framing: Content-Length not a number", "PUT", segment, 400, ErrorShape.Framing, null) with { Body = "x", ContentLength = "abc" },
            new HostileCase("framing: negative Content-Length", "PUT", segment, 400, ErrorShape.Framing, null) with { Body = "x", ContentLength = "-5" },
            new HostileCase("framing: two Content-Lengths that differ", "PUT", segment, 400, ErrorShape.Framing, null) with
            {
                Body = "x",
                Headers = ["Content-Length: 7"],
            },
            new HostileCase("framing: unknown transfer coding", "PUT", segment, 400, ErrorShape.Framing, null) with
            {
                Body = "x",
                Headers = ["Transfer-Encoding: gzip"],
            },
        ];
    }

    private static IEnumerable<HostileCase> RegistryNamesAndTags() =>
    [
        Oci("name: uppercase", "GET", "/v2/Hostile/Fixture/tags/list", "NAME_INVALID"),
        Oci("name: encoded traversal", "GET", "/v2/a%2F..%2F..%2Fb/tags/list", "NAME_INVALID"),
        Oci("name: dot segment", "GET", "/v2/{name}/../../etc/tags/list", "NAME_UNKNOWN", 404),
        Oci("name: too long", "GET", "/v2/" + new string('a', 256) + "/tags/list", "NAME_INVALID"),
        Oci("name: double dot component", "PUT", "/v2/a/../b/manifests/latest", "NAME_UNKNOWN", 404) with { Body = "{}" },
        Oci("name: upload to an invalid name", "POST", "/v2/Bad_Name/blobs/uploads/", "NAME_INVALID"),
        Oci("name: upload to an encoded traversal", "POST", "/v2/..%2F..%2Fdata/blobs/uploads/", "NAME_INVALID"),
        Oci("tag: invalid characters", "PUT", "/v2/{name}/manifests/bad!tag", "TAG_INVALID") with
        {
            Body = "{}",
            Headers = ["Content-Type: application/vnd.oci.image.manifest.v1+json"],
        },
        Oci("tag: leading dot", "PUT", "/v2/{name}/manifests/.hidden", "TAG_INVALID") with
        {
            Body = "{}",
            Headers = ["Content-Type: application/vnd.oci.image.manifest.v1+json"],
        },
        Oci("tag: 129 characters", "PUT", "/v2/{name}/manifests/" + new string('t', 129), "TAG_INVALID") with
        {
            Body = "{}",
            Headers = ["Content-Type: application/vnd.oci.image.manifest.v1+json"],
        },
        // The spec: a manifest not found is a 404, and a reference that is no tag names none.
        Oci("tag: get an invalid tag", "GET", "/v2/{name}/manifests/bad!tag", "MANIFEST_UNKNOWN", 404),
        Oci("tag: delete an invalid tag", "DELETE", "/v2/{name}/manifests/%20", "TAG_INVALID"),
        Oci("anonymous: push to the fixture", "POST", "/v2/{name}/blobs/uploads/", "UNAUTHORIZED", 401) with { Anonymous = true },
        Oci("anonymous: delete a manifest", "DELETE", "/v2/{name}/manifests/{manifest}", "UNAUTHORIZED", 401) with { Anonymous = true },
        Oci("bad bearer token", "GET", "/v2/{name}/tags/list", "UNAUTHORIZED", 401) with
        {
            Anonymous = true,
            Headers = ["Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9."],
        },
    ];

    private static IEnumerable<HostileCase> RegistryDigests()
    {
        foreach (var (label, digest) in BadDigests.Where(d => d.Text.Length > 0 && !d.Text.Contains('/', StringComparison.Ordinal)))
        {
            var path = Uri.EscapeDataString(digest);
            yield return Oci($"digest {label}: get blob", "GET", $"/v2/{{name}}/blobs/{path}", "DIGEST_INVALID");
            yield return Oci($"digest {label}: head blob", "HEAD", $"/v2/{{name}}/blobs/{path}", "DIGEST_INVALID");
            yield return Oci($"digest {label}: delete blob", "DELETE", $"/v2/{{name}}/blobs/{path}", "DIGEST_INVALID");
            yield return Oci($"digest {label}: referrers", "GET", $"/v2/{{name}}/referrers/{path}", "DIGEST_INVALID");
            yield return Oci($"digest {label}: complete an upload", "PUT", $"{{session}}?digest={path}", "DIGEST_INVALID") with
            {
                Headers = ["Content-Type: application/octet-stream"],
            };
            yield return Oci($"digest {label}: monolithic POST", "POST", $"/v2/{{name}}/blobs/uploads/?digest={path}", "DIGEST_INVALID") with
            {
                Body = "abc",
                Headers = ["Content-Type: application/octet-stream"],
            };
        }

        yield return Oci("digest: path traversal in a blob path", "GET", "/v2/{name}/blobs/sha256:..%2F..%2F..%2Fberth.db", "DIGEST_INVALID");
        yield return Oci("digest: mismatch completing an upload", "PUT", "{session}?digest=sha256:" + ZeroHex, "DIGEST_INVALID");
        yield return Oci("digest: mismatch in a monolithic POST", "POST", "/v2/{name}/blobs/uploads/?digest=sha256:" + ZeroHex, "DIGEST_INVALID") with
        {
            Body = "abc",
        };
        yield return Oci("digest: completing an upload without one", "PUT", "{session}", "DIGEST_INVALID");
        yield return Oci("digest: two digests", "PUT", "{session}?digest={upload_digest}&digest={upload_digest}", "DIGEST_INVALID");
    }

    private static IEnumerable<HostileCase> RegistryUploads() =>
    [
        Oci("content-range: end before start", "PATCH", "{session}", "BLOB_UPLOAD_INVALID", 416) with { Body = "abc", Headers = ["Content-Range: 5-1"] },
        Oci("content-range: gap after the end", "PATCH", "{session}", "BLOB_UPLOAD_INVALID", 416) with { Body = "abc", Headers = ["Content-Range: 20-22"] },
        Oci("content-range: overwriting the start", "PATCH", "{session}", "BLOB_UPLOAD_INVALID", 416) with { Body = "abc", Headers = ["Content-Range: 0-2"] },
        Oci("content-range: not a range", "PATCH", "{session}", "BLOB_UPLOAD_INVALID", 416) with { Body = "abc", Headers = ["Content-Range: abc"] },
        Oci("content-range: negative", "PATCH", "{session}", "BLOB_UPLOAD_INVALID", 416) with { Body = "abc", Headers = ["Content-Range: -3-2"] },
        Oci("content-range: overflowing a long", "PATCH", "{session}", "BLOB_UPLOAD_INVALID", 416) with
        {
            Body = "abc",
            Headers = ["Content-Range: 10-99999999999999999999"],
        },
        Oci("content-range: whole range of a long", "PATCH", "{session}", "BLOB_UPLOAD_INVALID", 416) with
        {
            Body = "abc",
            Headers = ["Content-Range: 0-9223372036854775807"],
        },
        Oci("content-range: length disagrees with the body", "PATCH", "{session}", "BLOB_UPLOAD_INVALID") with
        {
            Body = "abc",
            Headers = ["Content-Range: 10-19"],
        },
        Oci("upload: chunk over the maximum size", "PATCH", "{session}", "SIZE_INVALID", 413) with { Bytes = new byte[HostileInputTests.MaxUploadBytes] },
        Oci("upload: unknown session", "PATCH", "/v2/{name}/blobs/uploads/0123456789abcdef0123456789abcdef", "BLOB_UPLOAD_UNKNOWN", 404) with { Body = "x" },
        Oci("upload: session id that is a path", "PATCH", "/v2/{name}/blobs/uploads/..%2F..%2Fberth.db", "BLOB_UPLOAD_UNKNOWN", 404) with { Body = "x" },
        Oci("upload: session under another name", "PATCH", "/v2/other/name/blobs/uploads/{session_id}", "NAME_UNKNOWN", 404) with { Body = "x" },
        Oci("upload: session under another pushed name", "PATCH", "/v2/hostile/other/blobs/uploads/{session_id}", "BLOB_UPLOAD_UNKNOWN", 404) with { Body = "x" },
        Oci("upload: monolithic POST over the maximum size", "POST", "/v2/{name}/blobs/uploads/?digest={upload_digest}", "SIZE_INVALID", 413) with
        {
            Bytes = new byte[HostileInputTests.MaxUploadBytes + 1],
        },
    ];

    private static IEnumerable<HostileCase> RegistryManifests()
    {
        const string oci = "Content-Type: application/vnd.oci.image.manifest.v1+json";
        var target = "/v2/{name}/manifests/hostile";
        return
        [
            Oci("manifest: not JSON", "PUT", target, "MANIFEST_INVALID") with { Body = "{", Headers = [oci] },
            Oci("manifest: empty", "PUT", target, "MANIFEST_INVALID") with { Body = string.Empty, Headers = [oci] },
            Oci("manifest: an array", "PUT", target, "MANIFEST_INVALID") with { Body = "[]", Headers = [oci] },
            Oci("manifest: schemaVersion a string", "PUT", target, "MANIFEST_INVALID") with
            {
                Body = """{"schemaVersion":"2","mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}""",
                Headers = [oci],
            },
            Oci("manifest: media type disagrees with Content-Type", "PUT", target, "MANIFEST_INVALID") with
            {
                Body = """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"{blob}","size":1},"layers":[]}""",
                Headers = [oci],
            },
            Oci("manifest: layer digest uppercase", "PUT", target, "MANIFEST_INVALID") with
            {
                Body = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:""" + ZeroHex.Replace('0', 'A') + "\",\"size\":1},\"layers\":[]}",
                Headers = [oci],
            },
            Oci("manifest: negative size", "PUT", target, "MANIFEST_INVALID") with
            {
                Body = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{blob}","size":-1},"layers":[]}""",
                Headers = [oci],
            },
            Oci("manifest: a blob the repository lacks", "PUT", target, "MANIFEST_BLOB_UNKNOWN") with
            {
                Body = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:""" + ZeroHex + "\",\"size\":1},\"layers\":[]}",
                Headers = [oci],
            },
            Oci("manifest: duplicate keys", "PUT", target, "MANIFEST_INVALID") with
            {
                Body = """{"schemaVersion":2,"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{blob}","size":1},"layers":[]}""",
                Headers = [oci],
            },
            Oci("manifest: pushed by a digest it does not have", "PUT", "/v2/{name}/manifests/sha256:" + ZeroHex, "DIGEST_INVALID") with
            {
                Body = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{blob}","size":1},"layers":[]}""",
                Headers = [oci],
            },
            Oci("manifest: over 4 MiB", "PUT", target, "SIZE_INVALID", 413) with
            {
                Bytes = new byte[(4 * 1024 * 1024) + 1],
                Headers = [oci],
            },
            Oci("manifest: declared over 4 MiB, never sent", "PUT", target, "SIZE_INVALID", 413) with
            {
                Body = "{}",
                ContentLength = "1073741824",
                Headers = [oci],
            },
            Oci("manifest: unknown media type", "PUT", target, "MANIFEST_INVALID") with
            {
                Body = "{}",
                Headers = ["Content-Type: application/x-evil"],
            },
            Oci("manifest: nesting 1000 deep", "PUT", target, "MANIFEST_INVALID") with
            {
                Body = "{\"a\":" + new string('[', 1000) + new string(']', 1000) + "}",
                Headers = [oci],
            },
            Oci("manifest: invalid UTF-8 in a string", "PUT", target, "MANIFEST_INVALID") with
            {
                Bytes = [.. "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\""u8, 0xff, 0xfe, .. "\",\"config\":{},\"layers\":[]}"u8],
                Headers = [oci],
            },
            Oci("manifest: get by an invalid digest", "GET", "/v2/{name}/manifests/sha256:xyz", "MANIFEST_UNKNOWN", 404),
            Oci("manifest: delete by an uppercase digest", "DELETE", "/v2/{name}/manifests/sha256:" + ZeroHex.Replace('0', 'F'), "DIGEST_INVALID"),
            Oci("manifest: delete by an unknown algorithm", "DELETE", "/v2/{name}/manifests/md5:d41d8cd98f00b204e9800998ecf8427e", "DIGEST_INVALID"),
        ];
    }

    private static IEnumerable<HostileCase> RegistryRangesAndPages() =>
    [
        Oci("range: start past the end", "GET", "/v2/{name}/blobs/{blob}", "UNSUPPORTED", 416) with { Headers = ["Range: bytes=99999999-"] },
        Oci("range: start at the end", "GET", "/v2/{name}/blobs/{blob}", "UNSUPPORTED", 416) with { Headers = ["Range: bytes={blob_size}-"] },
        Oci("range: suffix of zero bytes", "GET", "/v2/{name}/blobs/{blob}", "UNSUPPORTED", 416) with { Headers = ["Range: bytes=-0"] },
        Oci("pages: catalog n negative", "GET", "/v2/_catalog?n=-1", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: catalog n not a number", "GET", "/v2/_catalog?n=abc", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: tags n negative", "GET", "/v2/{name}/tags/list?n=-1", "PAGINATION_NUMBER_INVALID"),
        Oci("pages: tags n twice", "GET", "/v2/{name}/tags/list?n=1&n=2", "PAGINATION_NUMBER_INVALID"),
        Oci("method: PATCH a manifest", "PATCH", "/v2/{name}/manifests/latest", "UNSUPPORTED", 405) with { Body = "{}" },
    ];

    private static IEnumerable<HostileCase> TokenEndpoint() =>
    [
        Oci("token: scope that is not one", "GET", "/token?service=berth&scope=garbage", "UNSUPPORTED"),
        Oci("token: scope with a bad name", "GET", "/token?service=berth&scope=repository:UPPER:pull", "NAME_INVALID") with { Anonymous = true },
        Oci("token: another service", "GET", "/token?service=elsewhere&scope=repository:{name}:pull", "UNSUPPORTED"),
        Oci("token: wrong password", "GET", "/token?service=berth&scope=repository:{name}:push", "UNAUTHORIZED", 401) with
        {
            Anonymous = true,
            Headers = ["Authorization: Basic YWRtaW46d3Jvbmc="],
        },
    ];
}
