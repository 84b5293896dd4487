namespace Berth.Tests.Hostile;

/// <summary>
/// The access findings of issue 18's penetration test, as hostile requests: a robot token reaching beyond its
/// scope, a catalog token used as a repository's, a repository squatting another user's names, a repository
/// outside the caller's grants that answers differently from a missing one, token names that could forge log
/// lines, and expiries beyond the cap.
/// </summary>
public static partial class HostileCases
{
    public const string Squatter = "squatter";
    public const string SquatterPassword = "squatter-password-long";

    /// <summary>A repository of the squatter's own, to promote into.</summary>
    public const string SquatterRepository = "squat-own";


    private static IEnumerable<HostileCase> AccessFindings() =>
        RobotTokenBeyondItsScope()
            .Concat(CatalogTokenAsARepositorys())
            .Concat(SquattedNames())
            .Concat(RepositoriesOutsideOnesGrants())
            .Concat(TokenRequests());

    /// <summary>Finding 1: a token scoped to pulling one repository must not manage its user's account.</summary>
    private static IEnumerable<HostileCase> RobotTokenBeyondItsScope()
    {
        HostileCase AsRobot(string name, string method, string target, string? body = null) =>
            Pulp("robot token: " + name, method, target, Forbidden, 403) with { Body = body, Anonymous = true, Headers = ["{victim_token_auth}"] };

        yield return AsRobot("mint an unscoped token", "POST", Api + "/users/{user}/tokens/", """{"name": "full"}""");
        yield return AsRobot("mint a token for everything", "POST", Api + "/users/{user}/tokens/", """{"name": "full", "scope": [{"pattern": "*", "actions": ["*"]}]}""");
        yield return AsRobot("mint a token for the administrator", "POST", Api + "/users/admin/tokens/", """{"name": "full"}""");
        yield return AsRobot("change its user's password", "PUT", Api + "/users/{user}/", """{"delta": {"password": "taken-over-password"}}""");
        yield return AsRobot("list its user's tokens", "GET", Api + "/users/{user}/tokens/");
        yield return AsRobot("revoke a token", "DELETE", Api + "/users/{user}/tokens/0123456789abcdef/");
        yield return AsRobot("create a user", "POST", Api + "/users/", """{"login": "evil", "password": "evil-password", "grants": [{"pattern": "*", "actions": ["*"]}]}""");
    }

    /// <summary>Finding 2: the catalog scope is the catalog; it grants nothing on any repository, nor on the content API.</summary>
    private static IEnumerable<HostileCase> CatalogTokenAsARepositorys()
    {
        HostileCase WithCatalogToken(HostileCase hostile) => hostile with { Anonymous = true, Headers = ["{catalog_bearer_auth}"] };

        yield return WithCatalogToken(Oci("catalog token: list a repository's tags", "GET", "/v2/{name}/tags/list", "DENIED", 403));
        yield return WithCatalogToken(Oci("catalog token: delete a manifest", "DELETE", "/v2/{name}/manifests/{manifest}", "DENIED", 403));
        yield return WithCatalogToken(Oci("catalog token: push", "POST", "/v2/{name}/blobs/uploads/", "DENIED", 403));
        yield return WithCatalogToken(Pulp("catalog token: change a repository through the content API", "PUT", Api + "/repositories/{repo}/", Unauthenticated, 401) with
        {
            Body = """{"delta": {"anonymous_pull": true}}""",
        });
        yield return WithCatalogToken(Pulp("catalog token: mint an API token", "POST", Api + "/users/{user}/tokens/", Unauthenticated, 401) with { Body = """{"name": "x"}""" });
    }

    /// <summary>Finding 3: a repository needs admin on its id and on its registry name, each by itself.</summary>
    private static IEnumerable<HostileCase> SquattedNames()
    {
        HostileCase AsSquatter(string name, string method, string target, string body) =>
            Pulp("squatter: " + name, method, target, Forbidden, 403) with { Body = body, Anonymous = true, Headers = ["{squatter_auth}"] };

        yield return AsSquatter("own id, the fixture's registry name", "POST", Api + "/repositories/", """{"id": "squat-1", "registry_name": "{name}"}""");
        yield return AsSquatter("own id, a free name outside the grants", "POST", Api + "/repositories/", """{"id": "squat-2", "registry_name": "elsewhere/free"}""");
        yield return AsSquatter("the fixture's id, own registry name", "POST", Api + "/repositories/", """{"id": "{repo}", "registry_name": "squat/x"}""");
        yield return AsSquatter("an id outside the grants, no registry name", "POST", Api + "/repositories/", """{"id": "elsewhere"}""");
    }

    /// <summary>Finding 8: a repository the caller may do nothing on answers as a missing one, on every endpoint.</summary>
    private static IEnumerable<HostileCase> RepositoriesOutsideOnesGrants()
    {
        HostileCase AsSquatter(string name, string method, string target, string? body = null) =>
            Pulp("outside the grants: " + name, method, target, MissingResource, 404) with { Body = body, Anonymous = true, Headers = ["{squatter_auth}"] };

        yield return AsSquatter("show", "GET", Api + "/repositories/{repo}/");
        yield return AsSquatter("rename", "PUT", Api + "/repositories/{repo}/", """{"delta": {"registry_name": "squat/taken"}}""");
        yield return AsSquatter("delete", "DELETE", Api + "/repositories/{repo}/");
        yield return AsSquatter("search", "POST", Api + "/repositories/{repo}/search/units/", """{"criteria": {}}""");
        yield return AsSquatter("import", "POST", Api + "/repositories/{repo}/actions/import_upload/", """{"upload_id": null, "unit_type_id": "docker_tag", "unit_key": {"name": "x"}, "unit_metadata": {}}""");
        yield return AsSquatter("tag history", "GET", Api + "/repositories/{repo}/tags/v1/history/");
        yield return AsSquatter("importers", "GET", Api + "/repositories/{repo}/importers/");
        yield return AsSquatter("retention", "GET", Api + "/repositories/{repo}/retention/");
        yield return AsSquatter("promote from it", "POST", Api + "/repositories/" + SquatterRepository + "/actions/associate/", """{"source_repo_id": "{repo}"}""");

        // Content units and users across repositories are for administrators: they would reveal what others hold.
        HostileCase AsNonAdministrator(string name, string method, string target, string? body = null) =>
            Pulp("not an administrator: " + name, method, target, Forbidden, 403) with { Body = body, Anonymous = true, Headers = ["{squatter_auth}"] };
        yield return AsNonAdministrator("list content units", "GET", Api + "/content/units/docker_tag/");
        yield return AsNonAdministrator("search content units", "POST", Api + "/content/units/docker_tag/search/", """{"criteria": {}, "include_repos": true}""");
        yield return AsNonAdministrator("search users", "POST", Api + "/users/search/", """{"criteria": {}}""");
    }

    private static string Grants(int count) =>
        "[" + string.Join(",", Enumerable.Range(0, count).Select(i => $"{{\"pattern\": \"team/{i}\", \"actions\": [\"pull\"]}}")) + "]";

    /// <summary>Findings 7 and 8: token names that could forge a log line, and expiries beyond the cap.</summary>
    private static IEnumerable<HostileCase> TokenRequests()
    {
        const string target = Api + "/users/{user}/tokens/";
        yield return Pulp("token: name with a newline and a forged audit line", "POST", target) with
        {
            Body = """{"name": "ci\n      audit action=user.create target=evil user=admin from=127.0.0.1 detail="}""",
        };
        yield return Pulp("token: name with a carriage return", "POST", target) with { Body = """{"name": "ci\rX"}""" };
        yield return Pulp("token: name with a line separator", "POST", target) with { Body = """{"name": "ci\u2028X"}""" };
        yield return Pulp("token: name with an escape sequence", "POST", target) with { Body = """{"name": "ci\u001b[2J"}""" };
        yield return Pulp("token: name of 101 characters", "POST", target) with { Body = "{\"name\": \"" + new string('n', 101) + "\"}" };
        yield return Pulp("token: expires in the year 9999", "POST", target) with { Body = """{"name": "ci", "expires": "9999-12-31T23:59:59Z"}""" };
        yield return Pulp("token: account not a boolean", "POST", target) with { Body = """{"name": "ci", "account": 1}""" };
        yield return Pulp("token: a scope of 33 grants", "POST", target) with { Body = "{\"name\": \"wide\", \"scope\": " + Grants(33) + "}" };
        yield return Pulp("user: 101 grants", "POST", Api + "/users/") with { Body = "{\"login\": \"many\", \"password\": \"many-grants-password\", \"grants\": " + Grants(101) + "}" };
    }
}
