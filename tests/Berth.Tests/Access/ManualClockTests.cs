using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>
/// The test-only manual clock (<c>Berth:Testing:ManualClock</c>): it stands still, an administrator moves it, and a
/// server started without the setting has no way to move it at all.
/// </summary>
[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
public sealed class ManualClockTests(ServerKind kind) : AccessFixture(kind)
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>([ServerClock.Manual]);

    [Test]
    public async Task Advance_MovesTheServersTime_ByExactlyThatMuch_AndOnlyThen()
    {
        var before = await Host.AdvanceClockAsync(TimeSpan.FromSeconds(1));
        var after = await Host.AdvanceClockAsync(TimeSpan.FromHours(2));

        Assert.That(after - before, Is.EqualTo(TimeSpan.FromHours(2)), "the clock moved on its own between the two moves");
    }

    [Test]
    public async Task Advance_IsForAdministratorsOnly()
    {
        var login = await CreateUserAsync(("mine/*", "pull,push,delete,admin"));
        var body = new JsonObject { ["advance_seconds"] = 3600 };

        using var user = await ApiAs(login).PostJsonAsync("/testing/clock/", body);
        using var anonymous = await new ContentApiClient(AnonymousClient()).PostJsonAsync("/testing/clock/", body);

        await ContentApiClient.ReadErrorAsync(user, HttpStatusCode.Forbidden, "BRT0403");
        await ContentApiClient.ReadErrorAsync(anonymous, HttpStatusCode.Unauthorized, "BRT0401");
    }

    [TestCase("{}")]
    [TestCase("""{"advance_seconds":0}""")]
    [TestCase("""{"advance_seconds":-60}""")]
    [TestCase("""{"advance_seconds":"01:00:00"}""")]
    [TestCase("""{"advance_seconds":1e300}""")]
    [TestCase("""{"advance_seconds":60,"to":"2030-01-01T00:00:00Z"}""")]
    public async Task Advance_ByAnythingButAPositiveNumberOfSeconds_IsRefused(string body)
    {
        using var response = await Api.PostJsonAsync("/testing/clock/", body);

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task WithoutTheSetting_TheClockCannotBeMoved()
    {
        using var folder = new TempFolder();
        await using var host = await BerthHost.StartAsync(Kind, folder, null, null);
        using var client = host.CreateClient();

        using var response = await new ContentApiClient(client).PostJsonAsync("/testing/clock/", new JsonObject { ["advance_seconds"] = 3600 });

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound);
        Assert.That(await host.DrainErrorsAsync(), Is.Empty);
    }
}
