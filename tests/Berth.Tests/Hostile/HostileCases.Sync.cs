namespace Berth.Tests.Hostile;

/// <summary>
/// Syncs and tasks (issue 13): a sync importer's config that names a feed it must not (another scheme, credentials in the
/// URL), patterns of the wrong type, limits out of range, a pull-through cache without a feed, a sync of a repository
/// without a sync importer, and the tasks API's filters and ids. Each is refused as the content API refuses, and nothing
/// is registered or started.
/// </summary>
public static partial class HostileCases
{
    private static IEnumerable<HostileCase> SyncCases()
    {
        var importers = Api + "/repositories/{repo}/importers/";
        var sync = Api + "/repositories/{repo}/actions/sync/";
        string Registration(string config) => $$"""{"importer_type_id":"docker_sync_importer","importer_config":{{config}}}""";
        (string Label, string Body)[] configs =
        [
            ("a file feed", Registration("""{"feed":"file:///etc/passwd","upstream_name":"library/x"}""")),
            ("credentials in the feed", Registration("""{"feed":"http://user:secret@127.0.0.1:1","upstream_name":"library/x"}""")),
            ("a feed with a query", Registration("""{"feed":"http://127.0.0.1:1/?x=1","upstream_name":"library/x"}""")),
            ("an upstream name with ..", Registration("""{"feed":"http://127.0.0.1:1","upstream_name":"../x"}""")),
            ("a tag pattern that is a number", Registration("""{"tags":{"include":[5]}}""")),
            ("tag filter keys unknown", Registration("""{"tags":{"only":["a"]}}""")),
            ("a thousand downloads at once", Registration("""{"max_concurrent_downloads":1000}""")),
            ("downloads as text", Registration("""{"max_concurrent_downloads":"many"}""")),
            ("tls_verify as text", Registration("""{"tls_verify":"no"}""")),
            ("a ca_cert that is not PEM", Registration("""{"ca_cert":"not a certificate"}""")),
            ("a token and a username", Registration("""{"token":"t","username":"u","password":"p"}""")),
            ("a platform without an architecture", Registration("""{"platforms":["linux"]}""")),
            ("no platforms at all", Registration("""{"platforms":[]}""")),
            ("a platform with a path in it", Registration("""{"platforms":["linux/../amd64"]}""")),
            ("mirror as text", Registration("""{"mirror":"yes"}""")),
            ("referrers as a number", Registration("""{"referrers":1}""")),
            ("on_demand without a feed", Registration("""{"on_demand":true}""")),
            ("on_demand as text", Registration("""{"feed":"http://127.0.0.1:1","upstream_name":"library/x","on_demand":"yes"}""")),
            ("a negative tag refresh", Registration("""{"tag_refresh_seconds":-5}""")),
            ("a tag refresh as text", Registration("""{"tag_refresh_seconds":"PT5M"}""")),
            ("a tag refresh of years", Registration("""{"tag_refresh_seconds":99999999999}""")),
            ("allow_push as a number", Registration("""{"allow_push":1}""")),
        ];
        foreach (var (label, body) in configs)
        {
            yield return Pulp($"sync importer: {label}", "POST", importers, "BRT0101") with { Body = body };
        }

        yield return Pulp("sync: override_config not an object", "POST", sync) with { Body = """{"override_config":"x"}""" };
        yield return Pulp("sync: unknown field", "POST", sync) with { Body = """{"override_config":{},"now":true}""" };
        yield return Pulp("sync: a repository without a sync importer", "POST", sync) with { Body = "{}" };
        yield return Pulp("sync: an unknown repository", "POST", Api + "/repositories/no-such-repository/actions/sync/", "PLP0009", 404) with { Body = "{}" };
        yield return Pulp("sync schedule: of an importer that does not sync", "POST", importers + "docker_blob_importer/schedules/sync/") with { Body = """{"schedule":"PT1H"}""" };
        yield return Pulp("sync schedule: of a sync importer not registered", "POST", importers + "docker_sync_importer/schedules/sync/", "PLP0009", 404) with { Body = """{"schedule":"PT1H"}""" };
        yield return Pulp("sync schedule: an unknown schedule", "GET", importers + "docker_sync_importer/schedules/sync/no-such-schedule/", "PLP0009", 404);
        yield return Pulp("tasks: an unknown state", "GET", Api + "/tasks/?state=sleeping");
        yield return Pulp("tasks: a limit of none", "GET", Api + "/tasks/?limit=0");
        yield return Pulp("tasks: a limit past the most", "GET", Api + "/tasks/?limit=1000000");
        yield return Pulp("tasks: a tag that is not a repository's", "GET", Api + "/tasks/?tag=pulp:action:sync");
        yield return Pulp("tasks: a repository and a tag that differ", "GET", Api + "/tasks/?repository={repo}&tag=pulp:repository:other");
        yield return Pulp("tasks: an unknown repository", "GET", Api + "/tasks/?repository=no-such-repository", "PLP0009", 404);
        yield return Pulp("tasks: an unknown task", "GET", Api + "/tasks/no-such-task/", "PLP0009", 404);
        yield return Pulp("tasks: cancel an unknown task", "DELETE", Api + "/tasks/no-such-task/", "PLP0009", 404);
        yield return Pulp("tasks: a task id with a path in it", "GET", Api + "/tasks/..%2F..%2Fetc%2Fpasswd/", "PLP0009", 404);
    }
}
