using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>
/// Uploads as Pulp 2's REST API documents them (issue 17, row 2): an upload exists until its owner deletes it, and
/// clients delete it after a successful <c>import_upload</c>, as the upload docs tell them to. Berth's import takes the
/// bytes, and the DELETE that follows still succeeds, once.
/// </summary>
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class Pulp2UploadApiTests(StorageBackend backend) : ApiFixture(ServerKind.InProcess, backend)
{
    [Test]
    public async Task DeleteAfterASuccessfulImport_Is200_AndOnlyOnce()
    {
        var repository = await DockerRepositoryAsync();
        var uploadId = await ImportedUploadAsync(repository);

        using (var deleted = await DeleteAsync(uploadId))
        {
            var report = await ContentApiClient.ReadAsync(deleted, HttpStatusCode.OK);
            Assert.That(report["spawned_tasks"]!.AsArray(), Is.Empty);
        }

        using var again = await DeleteAsync(uploadId);
        await ContentApiClient.ReadErrorAsync(again, HttpStatusCode.NotFound, "PLP0009");
    }

    [Test]
    public async Task DeleteAfterASuccessfulImport_Is200_AfterARestartToo()
    {
        var repository = await DockerRepositoryAsync();
        var uploadId = await ImportedUploadAsync(repository);
        await RestartAsync(_ => { });

        using var deleted = await DeleteAsync(uploadId);
        await ContentApiClient.ReadAsync(deleted, HttpStatusCode.OK);
    }

    [Test]
    public async Task AnUploadNeverMade_OrAFailedImportsDeletedOne_IsStill404()
    {
        using (var never = await DeleteAsync("0123456789abcdef0123456789abcdef"))
        {
            await ContentApiClient.ReadErrorAsync(never, HttpStatusCode.NotFound, "PLP0009");
        }

        var repository = await DockerRepositoryAsync();
        var blob = TestBlob.Random(100);
        var uploadId = await Api.UploadAsync(blob.Bytes);
        using (var refused = await Api.ImportAsync(repository, uploadId, "docker_blob", new JsonObject { ["digest"] = TestBlob.Random(100).Digest.ToString() }))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a digest the bytes do not have");
        }

        using (var kept = await DeleteAsync(uploadId))
        {
            await ContentApiClient.ReadAsync(kept, HttpStatusCode.OK);
        }

        using var gone = await DeleteAsync(uploadId);
        await ContentApiClient.ReadErrorAsync(gone, HttpStatusCode.NotFound, "PLP0009");
    }

    private async Task<string> ImportedUploadAsync(string repository)
    {
        var blob = TestBlob.Random(1000);
        var uploadId = await Api.UploadAsync(blob.Bytes);
        using var imported = await Api.ImportAsync(repository, uploadId, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() });
        await ContentApiClient.ReadAsync(imported, HttpStatusCode.Accepted);
        using var status = await Api.Http.GetAsync($"{ContentApiClient.Root}/content/uploads/{uploadId}/");
        Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the import took the upload's bytes");
        return uploadId;
    }

    private Task<HttpResponseMessage> DeleteAsync(string uploadId) => Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/uploads/{uploadId}/");
}
