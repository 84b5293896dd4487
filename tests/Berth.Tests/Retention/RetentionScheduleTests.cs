using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Api;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Retention;

/// <summary>Policies are applied on the schedule, without anyone asking.</summary>
public sealed class RetentionScheduleTests : ApiFixture
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["Berth:Lifecycle:RetentionInterval"] = "01:00:00",
        [ServerClock.Manual.Key] = ServerClock.Manual.Value,
    };

    [Test]
    public async Task ScheduledRun_AppliesThePolicy()
    {
        var repo = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repo);
        for (var i = 1; i <= 3; i++)
        {
            await Api.ImportImageAsync(repo, TestManifest.OciImage(), $"build-{i}");
            await Host.AdvanceClockAsync(TimeSpan.FromSeconds(1));
        }

        using (var set = await Api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{repo}/retention/",
            new StringContent("""{"tags":[{"pattern":"build-*","keep":1}]}""", System.Text.Encoding.UTF8, "application/json")))
        {
            await ContentApiClient.ReadAsync(set, HttpStatusCode.OK);
        }

        // The hour passes at once; the run it starts is then waited for, with a bound.
        await Host.AdvanceClockAsync(TimeSpan.FromHours(1));
        JsonArray tags = [];
        await Eventually.WaitAsync(async () => (tags = await Api.SearchUnitsAsync(repo, "docker_tag")).Count <= 1, TimeSpan.FromSeconds(20));

        Assert.That(tags.Select(t => t!["metadata"]!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "build-3" }));
    }
}
