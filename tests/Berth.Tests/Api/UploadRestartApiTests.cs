using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>
/// An upload is its record until a segment reaches it (its file is made then): one that no segment reached outlives a
/// restart as an empty upload, through either API, and takes segments and an import after it.
/// </summary>
public sealed class UploadRestartApiTests : ApiFixture
{
    protected override string? OneServerOnly => "it restarts one server and changes its data folder while it is stopped";

    [Test]
    public async Task UploadsNoSegmentReached_OutliveARestart_AsEmptyUploads()
    {
        var repository = await DockerRepositoryAsync();
        var uploadId = await Api.CreateUploadAsync();
        var blob = TestBlob.Random(5000);
        var session = await new RegistryClient(Api.Http).StartUploadAsync(repository);

        await RestartAsync(_ => { });

        var status = await Api.GetJsonAsync($"/content/uploads/{uploadId}/");
        Assert.That(status.ToJsonString(), Does.Contain(uploadId));
        using (var segment = await Api.PutSegmentAsync(uploadId, 0, blob.Bytes))
        {
            await ContentApiClient.ReadAsync(segment, HttpStatusCode.OK);
        }

        using (var imported = await Api.ImportAsync(repository, uploadId, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() }))
        {
            await ContentApiClient.ReadAsync(imported, HttpStatusCode.Accepted);
        }

        var other = TestBlob.Random(3000);
        using (var completed = await Api.Http.PutAsync(RegistryClient.WithDigest(session, other.Digest), new ByteArrayContent(other.Bytes)))
        {
            Assert.That(completed.StatusCode, Is.EqualTo(HttpStatusCode.Created), await completed.Content.ReadAsStringAsync());
        }

        using var pulled = await Api.Http.GetAsync($"/v2/{repository}/blobs/{other.Digest}");
        Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(other.Bytes));
    }
}
