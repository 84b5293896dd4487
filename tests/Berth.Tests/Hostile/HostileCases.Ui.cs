namespace Berth.Tests.Hostile;

/// <summary>
/// The web UI's forms and addresses (issue 16): forms without this browser's token or with another's, forms beyond
/// the limits, page numbers, searches, filters and digests that cannot be, and what is not there. Each is a page that
/// says what is wrong, under the UI's own headers, and nothing changes.
/// </summary>
public static partial class HostileCases
{
    private const string FormType = "Content-Type: application/x-www-form-urlencoded";

    private static IEnumerable<HostileCase> UiCases()
    {
        HostileCase Page(string name, string method, string target, int status) =>
            new HostileCase("ui: " + name, method, target, status, ErrorShape.Page, null) { Anonymous = true };
        HostileCase Visitor(string name, string body, int status = 400) =>
            Page(name, "POST", "/ui/sign-in", status) with { Body = body, Headers = ["{ui_visitor_cookie}", FormType] };
        HostileCase Signed(string name, string method, string target, int status = 400) =>
            Page(name, method, target, status) with { Headers = ["{ui_session_cookie}", FormType] };

        yield return Page("sign-in without the form's token", "POST", "/ui/sign-in", 400) with { Body = "login=admin&password=x", Headers = [FormType] };
        yield return Visitor("sign-in with another browser's token", "__form={ui_session_form}&login=admin&password=x");
        yield return Visitor("sign-in with a token of nothing", "__form=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&login=admin&password=x");
        yield return Visitor("sign-in without a password", "__form={ui_visitor_form}&login=admin");
        yield return Visitor("sign-in with a login of 300 characters", "__form={ui_visitor_form}&password=x&login=" + new string('a', 300));
        yield return Visitor("sign-in with a hundred fields", "__form={ui_visitor_form}&" + string.Join('&', Enumerable.Range(0, 100).Select(i => $"f{i}=1")));
        yield return Visitor("sign-in with a field of 20 KiB", "__form={ui_visitor_form}&login=admin&password=" + new string('p', 20 * 1024));
        yield return Visitor("sign-in over 64 KiB", "__form={ui_visitor_form}&login=admin&password=x&pad=" + new string('p', 70 * 1024), 413);
        yield return Signed("sign-out without the form's token", "POST", "/ui/sign-out") with { Body = "x=1" };
        yield return Signed("sign-out with the visitor's token", "POST", "/ui/sign-out") with { Body = "__form={ui_visitor_form}" };
        yield return Page("sign-out as JSON", "POST", "/ui/sign-out", 400) with { Body = """{"__form":"x"}""", Headers = ["{ui_session_cookie}", "Content-Type: application/json"] };
        yield return Signed("a page number that is not one", "GET", "/ui/?p=abc");
        yield return Signed("page zero of the repositories", "GET", "/ui/?p=0");
        yield return Signed("a page past the last", "GET", "/ui/?p=999999", 404);
        yield return Signed("a search of 300 characters", "GET", "/ui/?q=" + new string('a', 300));
        yield return Signed("a tag filter no tag could match", "GET", "/ui/repositories/{repo}?q=%3Cscript%3E");
        yield return Signed("a tag filter of 200 characters", "GET", "/ui/repositories/{repo}?q=" + new string('a', 200));
        yield return Signed("a negative tag page", "GET", "/ui/repositories/{repo}?p=-1");
        yield return Signed("a digest that is not one", "GET", "/ui/repositories/{repo}/manifests/sha256:xyz");
        yield return Signed("a digest of an unknown algorithm", "GET", "/ui/repositories/{repo}/manifests/md5:d41d8cd98f00b204e9800998ecf8427e");
        yield return Signed("an image the repository does not hold", "GET", "/ui/repositories/{repo}/manifests/sha256:" + new string('0', 64), 404);
        yield return Signed("the raw bytes of an image it does not hold", "GET", "/ui/repositories/{repo}/manifests/sha256:" + new string('0', 64) + "?handler=raw", 404);
        yield return Signed("a repository that is not there", "GET", "/ui/repositories/no-such-repository", 404);
        yield return Signed("a repository id with a path in it", "GET", "/ui/repositories/..%2Fpulp", 404);
        yield return Signed("an address that is no page", "GET", "/ui/no-such-page", 404);
        yield return Signed("a post to a page that takes none", "POST", "/ui/repositories/{repo}", 405) with { Body = "__form={ui_session_form}" };
        var rollback = "/ui/repositories/{repo}/tags/latest?handler=rollback";
        yield return Signed("a rollback without the form's token", "POST", rollback) with { Body = "digest={manifest}" };
        yield return Signed("a rollback to no digest", "POST", rollback) with { Body = "__form={ui_session_form}&digest=" };
        yield return Signed("a rollback to a digest the tag never had", "POST", rollback) with { Body = "__form={ui_session_form}&digest=sha256:" + new string('1', 64) };
        yield return Signed("a rollback in a repository that is not there", "POST", "/ui/repositories/no-such-repository/tags/latest?handler=rollback", 404) with
        {
            Body = "__form={ui_session_form}&digest={manifest}",
        };
        var promote = "/ui/repositories/{repo}/promote";
        yield return Signed("a promotion of no tag", "GET", promote + "?to=no-such-repository");
        yield return Signed("a promotion to nowhere", "GET", promote + "?tag=latest");
        yield return Signed("a promotion of a tag of 200 characters", "GET", promote + "?to=x&tag=" + new string('t', 200));
        yield return Signed("a promotion with referrers as a word", "GET", promote + "?to=x&tag=latest&referrers=maybe");
        yield return Signed("a promotion to a repository that is not there", "GET", promote + "?to=no-such-repository&tag=latest", 404);
        yield return Signed("a promotion of tags it does not hold", "GET", promote + "?to=" + SquatterRepository + "&tag=no-such-tag");
        yield return Signed("a promotion confirmed without the form's token", "POST", promote + "?handler=confirm") with { Body = "to=" + SquatterRepository + "&tag=latest" };
        yield return Signed("a promotion to itself", "POST", promote + "?handler=confirm") with { Body = "__form={ui_session_form}&to={repo}&tag=latest" };
        var remove = "/ui/repositories/{repo}/remove";
        yield return Signed("a removal of nothing named", "GET", remove);
        yield return Signed("a removal of a tag and a digest at once", "GET", remove + "?tag=latest&digest={manifest}");
        yield return Signed("a removal of a tag that cannot be one", "GET", remove + "?tag=%2E%2E%2Fx");
        yield return Signed("a removal of a digest that is not one", "GET", remove + "?digest=sha256:xyz");
        yield return Signed("a removal of a tag the repository lacks", "GET", remove + "?tag=no-such-tag", 404);
        yield return Signed("a removal confirmed without the form's token", "POST", remove + "?handler=confirm") with { Body = "tag=latest" };
        var retention = "/ui/repositories/{repo}/retention?handler=";
        yield return Signed("a retention rule keeping 'many'", "POST", retention + "preview") with { Body = "__form={ui_session_form}&pattern=v*&keep=many" };
        yield return Signed("a retention rule with a path for a pattern", "POST", retention + "preview") with { Body = "__form={ui_session_form}&pattern=..%2Fv&keep=1" };
        yield return Signed("a retention rule keeping a negative count", "POST", retention + "preview") with { Body = "__form={ui_session_form}&pattern=v*&keep=-1" };
        yield return Signed("untagged manifests older than -1 days", "POST", retention + "preview") with { Body = "__form={ui_session_form}&untagged_days=-1" };
        yield return Signed("untagged manifests older than a century and more", "POST", retention + "save") with { Body = "__form={ui_session_form}&untagged_days=99999999" };
        yield return Signed("a hundred retention rules", "POST", retention + "save") with
        {
            Body = "__form={ui_session_form}&" + string.Join('&', Enumerable.Range(0, 30).Select(i => $"pattern=p{i}&keep=1")),
        };
        yield return Signed("a retention policy saved without the form's token", "POST", retention + "save") with { Body = "pattern=v*&keep=1" };
        yield return Signed("a collection of orphans without the form's token", "POST", "/ui/orphans?handler=collect") with { Body = "x=1" };
        var user = "/ui/users/{user}?handler=";
        yield return Signed("a robot token that may do nothing", "POST", user + "token") with { Body = "__form={ui_session_form}&name=r&pattern=*&days=30" };
        yield return Signed("a robot token lasting 'forever'", "POST", user + "token") with { Body = "__form={ui_session_form}&name=r&pattern=*&action=pull&days=forever" };
        yield return Signed("a robot token of an unknown action", "POST", user + "token") with { Body = "__form={ui_session_form}&name=r&pattern=*&action=own&days=30" };
        yield return Signed("a robot token with a name of 300 characters", "POST", user + "token") with
        {
            Body = "__form={ui_session_form}&pattern=*&action=pull&days=30&name=" + new string('n', 300),
        };
        yield return Signed("a robot token for a user that is not there", "POST", "/ui/users/no-such-user?handler=token", 404) with
        {
            Body = "__form={ui_session_form}&name=r&pattern=*&action=pull&days=30",
        };
        yield return Signed("a revocation of a token that is not there", "POST", user + "revoke", 404) with { Body = "__form={ui_session_form}&id=0123456789abcdef" };
        yield return Signed("a revocation without the form's token", "POST", user + "revoke") with { Body = "id=0123456789abcdef" };
        yield return Signed("a user without a password", "POST", "/ui/users?handler=create") with { Body = "__form={ui_session_form}&login=ui-nopass" };
        yield return Signed("a user of an unknown action", "POST", "/ui/users?handler=create") with
        {
            Body = "__form={ui_session_form}&login=ui-badaction&password=a-long-enough-password&pattern=*&action=own",
        };
        yield return Signed("a user that exists already", "POST", "/ui/users?handler=create", 409) with
        {
            Body = "__form={ui_session_form}&login=admin&password=a-long-enough-password",
        };
        yield return Signed("grants with a pattern holding a space", "POST", user + "grants") with { Body = "__form={ui_session_form}&pattern=a%20b&actions=pull" };
        yield return Signed("grants of thirty rows", "POST", user + "grants") with
        {
            Body = "__form={ui_session_form}&" + string.Join('&', Enumerable.Range(0, 30).Select(i => $"pattern=p{i}&actions=pull")),
        };
        yield return Signed("a new password typed differently twice", "POST", user + "password") with { Body = "__form={ui_session_form}&password=a-long-enough-password&again=another-one-entirely" };
        yield return Signed("a new password too short for the API", "POST", user + "password") with { Body = "__form={ui_session_form}&password=x&again=x" };
        yield return Signed("a new password without the form's token", "POST", user + "password") with { Body = "password=a-long-enough-password&again=a-long-enough-password" };
        yield return Signed("a new password for a user that is not there", "POST", "/ui/users/no-such-user?handler=password", 404) with
        {
            Body = "__form={ui_session_form}&password=a-long-enough-password&again=a-long-enough-password",
        };
        yield return Signed("a deletion of a user that is not there", "POST", "/ui/users/no-such-user?handler=delete", 404) with { Body = "__form={ui_session_form}" };
        yield return Signed("a deletion of the last administrator", "POST", "/ui/users/admin?handler=delete", 409) with { Body = "__form={ui_session_form}" };
        yield return Signed("a deletion without the form's token", "POST", user + "delete") with { Body = "x=1" };
        var anonymous = "/ui/repositories/{repo}?handler=anonymous";
        yield return Signed("anonymous pulls neither opened nor closed", "POST", anonymous) with { Body = "__form={ui_session_form}&open=maybe" };
        yield return Signed("anonymous pulls without the form's token", "POST", anonymous) with { Body = "open=true" };
        yield return Signed("anonymous pulls of a repository that is not there", "POST", "/ui/repositories/no-such-repo?handler=anonymous", 404) with { Body = "__form={ui_session_form}&open=true" };
        yield return Page("a forged session", "GET", "/ui/repositories/{repo}", 302) with { Headers = ["Cookie: berth_session=eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9."] };
    }
}
