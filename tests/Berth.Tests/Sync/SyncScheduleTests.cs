using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Sync;

/// <summary>
/// Pulp 2's sync schedules: a schedule starts its repository's sync when it is due (the server's clock is advanced by
/// the test, the run it starts waited for with a bound), a disabled one does not, and bad schedules are refused.
/// </summary>
[NonParallelizable]
public sealed class SyncScheduleTests() : SyncFixture(ServerKind.InProcess)
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        [ServerClock.Manual.Key] = ServerClock.Manual.Value,
        ["Berth:Tasks:ScheduleCheckInterval"] = "00:00:30",
    };

    private static string Schedules(string repository) => $"/repositories/{repository}/importers/docker_sync_importer/schedules/sync/";

    [Test]
    public async Task ADueSchedule_StartsASync_ADisabledOneDoesNot()
    {
        var name = NewUpstreamName();
        var image = TestManifest.DockerImage(layers: 1);
        await Upstream.Client.PushImageAsync(name, image, "1.0");
        var (scheduled, witness) = (await SyncedRepositoryAsync(FeedOf(name)), await SyncedRepositoryAsync(FeedOf(name)));

        JsonNode schedule;
        using (var created = await Api.PostJsonAsync(Schedules(scheduled), """{"schedule": "PT1H", "override_config": {"tags": {"include": ["1.0"]}}}"""))
        {
            schedule = await ContentApiClient.ReadAsync(created, HttpStatusCode.Created);
            Assert.That(created.Headers.Location?.ToString(), Is.EqualTo(schedule["_href"]!.GetValue<string>()));
        }

        using (var other = await Api.PostJsonAsync(Schedules(witness), """{"schedule": "PT1H"}"""))
        {
            await ContentApiClient.ReadAsync(other, HttpStatusCode.Created);
        }

        var href = schedule["_href"]!.GetValue<string>()[ContentApiClient.Root.Length..];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(schedule["schedule"]!.GetValue<string>(), Is.EqualTo("PT1H"));
            Assert.That(schedule["enabled"]!.GetValue<bool>(), Is.True);
            Assert.That(schedule["total_run_count"]!.GetValue<long>(), Is.Zero);
            Assert.That(schedule["next_run"]!.GetValue<DateTimeOffset>(), Is.EqualTo(schedule["first_run"]!.GetValue<DateTimeOffset>()));
            Assert.That((await Api.GetJsonAsync(Schedules(scheduled))).AsArray().Select(s => s!["_id"]!.GetValue<string>()), Is.EqualTo(new[] { schedule["_id"]!.GetValue<string>() }));
            Assert.That(await TasksOfAsync(scheduled), Is.Empty, "nothing runs before it is due");
        }

        await Host.AdvanceClockAsync(TimeSpan.FromHours(1));
        Assert.That(await Eventually.WaitAsync(async () => (await TasksOfAsync(scheduled)).Any(t => t!["state"]!.GetValue<string>() == "finished"), TaskBound), Is.True);
        var ran = await Api.GetJsonAsync(href);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ran["total_run_count"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(ran["last_run_at"], Is.Not.Null);
            Assert.That(ran["next_run"]!.GetValue<DateTimeOffset>(), Is.EqualTo(schedule["first_run"]!.GetValue<DateTimeOffset>().AddHours(1)));
            Assert.That(await TagDigestAsync(scheduled, "1.0"), Is.EqualTo(image.Digest.ToString()));
        }

        using (var disabled = await Api.Http.PutAsync(ContentApiClient.Root + href, new StringContent("""{"enabled": false}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.That((await ContentApiClient.ReadAsync(disabled, HttpStatusCode.OK))["enabled"]!.GetValue<bool>(), Is.False);
        }

        // The witness's second run shows the schedules were looked at after the next hour; the disabled one did not run.
        await Host.AdvanceClockAsync(TimeSpan.FromHours(1));
        Assert.That(await Eventually.WaitAsync(async () => (await TasksOfAsync(witness)).Count(t => t!["state"]!.GetValue<string>() == "finished") == 2, TaskBound), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await TasksOfAsync(scheduled), Has.Count.EqualTo(1));
            Assert.That((await Api.GetJsonAsync(href))["total_run_count"]!.GetValue<long>(), Is.EqualTo(1));
        }

        using (var deleted = await Api.Http.DeleteAsync(ContentApiClient.Root + href))
        {
            Assert.That(await deleted.Content.ReadAsStringAsync(), Is.EqualTo("null"));
        }

        using var gone = await Api.Http.GetAsync(ContentApiClient.Root + href);
        await ContentApiClient.ReadErrorAsync(gone, HttpStatusCode.NotFound, "PLP0009");
    }

    [Test]
    public async Task BadSchedules_AreRefused_SayingHowToWriteThem()
    {
        var repository = await SyncedRepositoryAsync(FeedOf(NewUpstreamName()));
        foreach (var (body, mention) in new[]
        {
            ("""{"schedule": "PT10S"}""", "at least 1 minute"),
            ("""{"schedule": "R5/PT1H"}""", "count of runs"),
            ("""{"schedule": "every hour"}""", "ISO 8601 duration"),
            ("""{"schedule": "yesterday/PT1H"}""", "ISO 8601 time"),
            ("""{}""", "schedule is required"),
            ("""{"schedule": "PT1H", "when": 1}""", "unknown field"),
        })
        {
            using var refused = await Api.PostJsonAsync(Schedules(repository), body);
            await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, "PLP0015", mention);
        }

        using (var badOverride = await Api.PostJsonAsync(Schedules(repository), """{"schedule": "PT1H", "override_config": {"colour": "blue"}}"""))
        {
            await ContentApiClient.ReadErrorAsync(badOverride, HttpStatusCode.BadRequest, "BRT0101", "colour");
        }

        using (var notSync = await Api.PostJsonAsync($"/repositories/{repository}/importers/docker_blob_importer/schedules/sync/", """{"schedule": "PT1H"}"""))
        {
            await ContentApiClient.ReadErrorAsync(notSync, HttpStatusCode.BadRequest, "PLP0015", "does not sync");
        }

        using (var unregistered = await Api.PostJsonAsync($"/repositories/{await DockerRepositoryAsync()}/importers/docker_sync_importer/schedules/sync/", """{"schedule": "PT1H"}"""))
        {
            await ContentApiClient.ReadErrorAsync(unregistered, HttpStatusCode.NotFound, "PLP0009");
        }

        Assert.That((await Api.GetJsonAsync(Schedules(repository))).AsArray(), Is.Empty, "nothing was made");
    }

    private async Task<JsonArray> TasksOfAsync(string repository) => (await Api.GetJsonAsync($"/tasks/?repository={repository}")).AsArray();
}
