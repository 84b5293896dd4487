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
        ["Berth:Lifecycle:RetentionInterval"] = "00:00:01",
    };

    [Test]
    public async Task ScheduledRun_AppliesThePolicy()
    {
        var repo = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repo);
        for (var i = 1; i <= 3; i++)
        {
            await Api.ImportImageAsync(repo, TestManifest.OciImage(), $"build-{i}");
            await Task.Delay(5);
        }

        using (var set = await Api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{repo}/retention/",
            new StringContent("""{"tags":[{"pattern":"build-*","keep":1}]}""", System.Text.Encoding.UTF8, "application/json")))
        {
            await ContentApiClient.ReadAsync(set, HttpStatusCode.OK);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        JsonArray tags;
        do
        {
            await Task.Delay(200);
            tags = await Api.SearchUnitsAsync(repo, "docker_tag");
        }
        while (tags.Count > 1 && DateTime.UtcNow < deadline);

        Assert.That(tags.Select(t => t!["metadata"]!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "build-3" }));
    }
}
