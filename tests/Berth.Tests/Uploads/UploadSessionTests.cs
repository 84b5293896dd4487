using System.Net;
using System.Text.Json.Nodes;
using Berth.Server.Uploads;
using Berth.Tests.Access;
using Berth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Berth.Tests.Uploads;

/// <summary>
/// What the server keeps in memory per upload (its gate and running hash) exists only for uploads that exist:
/// refused requests add nothing, and an upload that ends takes its session with it, whoever waited at its gate.
/// </summary>
public sealed class UploadSessionTests : AccessFixture
{
    private UploadService Uploads => Host.RequireServices().GetRequiredService<UploadService>();

    [Test]
    public async Task RefusedRequestsForUploads_KeepNothingInMemory()
    {
        var others = await Api.UploadAsync("someone else's"u8.ToArray());
        var stranger = ApiAs(await CreateUserAsync(("*", "pull,push")));
        var repository = await DockerRepositoryAsync();
        var before = Uploads.SessionCount;

        for (var i = 0; i < 3000; i++)
        {
            var id = i % 10 == 0 ? others : Guid.NewGuid().ToString("N");
            var api = i % 10 == 0 ? stranger : Api;
            using var response = (i % 3) switch
            {
                0 => await api.PutSegmentAsync(id, 0, "x"u8.ToArray()),
                1 => await api.Http.DeleteAsync($"{ContentApiClient.Root}/content/uploads/{id}/"),
                _ => await api.ImportAsync(repository, id, "docker_blob", new JsonObject { ["digest"] = "sha256:" + new string('0', 64) }),
            };
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), await response.Content.ReadAsStringAsync());
        }

        Assert.That(Uploads.SessionCount, Is.EqualTo(before), "refused requests left sessions in memory");
    }

    [Test]
    public async Task UploadsEndedWhileOthersWaitAtTheirGate_LeaveNoSession()
    {
        var repository = await DockerRepositoryAsync();
        var blob = TestBlob.Random(64 * 1024);
        var before = Uploads.SessionCount;
        for (var round = 0; round < 100; round++)
        {
            var id = await Api.CreateUploadAsync();
            var requests = new List<Task<HttpResponseMessage>>
            {
                Api.PutSegmentAsync(id, 0, blob.Bytes),
                Api.PutSegmentAsync(id, 0, blob.Bytes.AsMemory(0, 1000)),
                round % 2 == 0
                    ? Api.ImportAsync(repository, id, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() })
                    : Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/uploads/{id}/"),
                Api.PutSegmentAsync(id, 1000, blob.Bytes.AsMemory(1000, 1000)),
                Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/uploads/{id}/"),
            };
            var responses = await Task.WhenAll(requests);
            for (var i = 0; i < responses.Length; i++)
            {
                using (responses[i])
                {
                    // Each meets the upload there or gone, whatever the order; an import before any segment fails as a mismatch.
                    // A segment or a delete answers 200, an import 202 (its task already finished).
                    var done = i == 2 && round % 2 == 0 ? 202 : 200;
                    Assert.That((int)responses[i].StatusCode, Is.AnyOf(done, 400, 404), await responses[i].Content.ReadAsStringAsync());
                }
            }

            using (await Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/uploads/{id}/"))
            {
            }
        }

        Assert.That(Uploads.SessionCount, Is.EqualTo(before), "sessions outlived their uploads");
    }
}
