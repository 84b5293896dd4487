using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>
/// Pulp 2 row 10: the calls Pulp 2 runs as tasks (import_upload, associate, unassociate, repository delete, orphan
/// removal) answer 202 with <c>spawned_tasks</c>, and the task a client then polls, as Pulp 2's clients do, has already
/// finished with the call's result. A refused call answers its 4xx at once and leaves no task. Ended tasks go after
/// <c>Berth:Tasks:KeepEndedFor</c> (the server's clock moved by the test).
/// </summary>
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class Pulp2TaskCallTests(StorageBackend backend) : ApiFixture(ServerKind.InProcess, backend)
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        [ServerClock.Manual.Key] = ServerClock.Manual.Value,
        ["Berth:Tasks:KeepEndedFor"] = "1.00:00:00",
    };

    /// <summary>Reads a call's 202 report and polls its one task, as a Pulp 2 client does; answers the report and the task.</summary>
    private async Task<(JsonNode Report, JsonNode Task)> PollAsync(HttpResponseMessage response, string taskType, string? repository)
    {
        var report = await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        var spawned = report["spawned_tasks"]!.AsArray().Single()!;
        var task = await Api.GetJsonAsync(spawned["_href"]!.GetValue<string>()[ContentApiClient.Root.Length..]);
        string[] repositoryTag = repository is null ? [] : [$"pulp:repository:{repository}"];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report["error"], Is.Null);
            Assert.That(task["task_id"]!.GetValue<string>(), Is.EqualTo(spawned["task_id"]!.GetValue<string>()));
            Assert.That(task["state"]!.GetValue<string>(), Is.EqualTo("finished"), "finished before the call was answered");
            Assert.That(task["task_type"]!.GetValue<string>(), Is.EqualTo(taskType));
            Assert.That(task["tags"]!.AsArray().Select(t => t!.GetValue<string>()).Where(t => t.StartsWith("pulp:repository:", StringComparison.Ordinal)), Is.EqualTo(repositoryTag));
            Assert.That(task["finish_time"]!.GetValue<DateTimeOffset>(), Is.GreaterThanOrEqualTo(task["start_time"]!.GetValue<DateTimeOffset>()));
            Assert.That(JsonNode.DeepEquals(task["result"], report["result"]), Is.True, $"the report carries the task's result: {report["result"]} and {task["result"]}");
        }

        return (report, task);
    }

    [Test]
    public async Task ImportUpload_Answers202_WithATaskAlreadyFinished_HoldingTheUnit()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var blob = TestBlob.Random(64);
        var uploadId = await Api.UploadAsync(blob.Bytes);

        using var response = await Api.ImportAsync(repository, uploadId, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() });
        var (_, task) = await PollAsync(response, "pulp.server.managers.content.upload.import_uploaded_unit", repository);

        Assert.That(task["result"]!["unit_key"]!["digest"]!.GetValue<string>(), Is.EqualTo(blob.Digest.ToString()));
        Assert.That(task["tags"]!.AsArray().Select(t => t!.GetValue<string>()), Does.Contain("pulp:action:import_upload"));
    }

    [Test]
    public async Task AssociateAndUnassociate_Answer202_WithTheirUnitsInTheTask()
    {
        var (source, destination) = (NewRepositoryId(), NewRepositoryId());
        await Api.CreateDockerRepositoryAsync(source);
        await Api.CreateDockerRepositoryAsync(destination);
        var image = TestManifest.DockerImage(layers: 1);
        await Api.ImportImageAsync(source, image, "1.0");

        using (var associate = await Api.PostJsonAsync($"/repositories/{destination}/actions/associate/", """
            {"source_repo_id": "SOURCE", "criteria": {"type_ids": ["docker_tag"], "filters": {"unit": {"name": "1.0"}}}}
            """.Replace("SOURCE", source, StringComparison.Ordinal)))
        {
            var (_, task) = await PollAsync(associate, "pulp.server.managers.repo.unit_association.associate_from_repo", destination);
            Assert.That(task["result"]!["units_successful"]!.AsArray(), Has.Count.EqualTo(image.Blobs.Count + 2), "blobs, the manifest and the tag");
        }

        using var unassociate = await Api.PostJsonAsync($"/repositories/{destination}/actions/unassociate/", """{"criteria": {"type_ids": ["docker_tag"]}}""");
        var (_, removed) = await PollAsync(unassociate, "pulp.server.managers.repo.unit_association.unassociate_by_criteria", destination);
        Assert.That(removed["result"]!["units_successful"]!.AsArray().Select(u => u!["unit_type_id"]!.GetValue<string>()), Is.EqualTo(new[] { "docker_tag" }));
    }

    [Test]
    public async Task RepositoryDelete_And_OrphanRemoval_Answer202_WithFinishedTasks()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        await Api.ImportBlobAsync(repository, TestBlob.Random(32));

        using (var deleted = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{repository}/"))
        {
            var (report, _) = await PollAsync(deleted, "pulp.server.tasks.repository.delete", repository);
            Assert.That(report["result"], Is.Null, "as Pulp 2's delete task, no result");
        }

        using (var gone = await Api.Http.GetAsync($"{ContentApiClient.Root}/repositories/{repository}/"))
        {
            Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "deleted by the time the task is polled");
        }

        await Host.AdvanceClockAsync(TimeSpan.FromSeconds(1));
        using var collected = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/orphans/?older_than_seconds=0");
        var (_, collection) = await PollAsync(collected, "pulp.server.managers.content.orphan.delete_all_orphans", null);
        Assert.That(collection["result"]!["units_removed_total"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(1), "the blob only the deleted repository held");
    }

    [Test]
    public async Task ARefusedCall_AnswersItsError_AndLeavesNoTask()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);

        using var refused = await Api.ImportAsync(repository, "no-such-upload", "docker_blob", new JsonObject { ["digest"] = TestBlob.Random(8).Digest.ToString() });
        await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.NotFound, "PLP0009");
        Assert.That((await Api.GetJsonAsync($"/tasks/?repository={repository}")).AsArray(), Is.Empty);
    }

    [Test]
    public async Task EndedTasks_GoAfterTheirKeepingTime()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var blob = TestBlob.Random(16);
        using var response = await Api.ImportAsync(repository, await Api.UploadAsync(blob.Bytes), "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() });
        var (_, task) = await PollAsync(response, "pulp.server.managers.content.upload.import_uploaded_unit", repository);
        var href = task["_href"]!.GetValue<string>();

        await Host.AdvanceClockAsync(TimeSpan.FromDays(2));

        var removed = await Eventually.WaitAsync(
            async () =>
            {
                using var read = await Api.Http.GetAsync(href);
                return read.StatusCode == HttpStatusCode.NotFound;
            },
            TimeSpan.FromSeconds(30));
        Assert.That(removed, Is.True, "the ended task removed by the next sweep");
    }
}
