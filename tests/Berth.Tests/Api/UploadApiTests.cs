using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

[TestFixture(ServerKind.InProcess, StorageBackend.Default)]
[TestFixture(ServerKind.Replicas, StorageBackend.PostgreSqlS3Streamed)]
public sealed class UploadApiTests(ServerKind kind, StorageBackend backend) : ApiFixture(kind, backend)
{
    private async Task<long> SizeAsync(string uploadId) => (await Api.GetJsonAsync($"/content/uploads/{uploadId}/"))["size"]!.GetValue<long>();

    [Test]
    public async Task Create_Answers201WithIdAndHref_AndTheUploadIsListedEmpty()
    {
        using var response = await Api.Http.PostAsync(ContentApiClient.Root + "/content/uploads/", null);
        var upload = await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        var id = upload["upload_id"]!.GetValue<string>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(upload["_href"]!.GetValue<string>(), Is.EqualTo($"/pulp/api/v2/content/uploads/{id}/"));
            Assert.That((await Api.GetJsonAsync("/content/uploads/"))["upload_ids"]!.AsArray().Select(i => i!.GetValue<string>()), Does.Contain(id));
            Assert.That(await SizeAsync(id), Is.Zero);
        }
    }

    [Test]
    public async Task Segments_OfAnySize_AddUpToTheBytesHeld()
    {
        var id = await Api.CreateUploadAsync();
        var bytes = RandomNumberGenerator.GetBytes(10_000);
        var offset = 0;
        foreach (var size in new[] { 1, 4095, 3000, 2904 })
        {
            using var response = await Api.PutSegmentAsync(id, offset, bytes.AsMemory(offset, size));
            offset += size;
            Assert.That((await ContentApiClient.ReadAsync(response, HttpStatusCode.OK))["size"]!.GetValue<long>(), Is.EqualTo(offset));
        }

        Assert.That(await SizeAsync(id), Is.EqualTo(10_000));
    }

    [Test]
    public async Task Segment_Resent_IsAcceptedAndChangesNothing()
    {
        var blob = TestBlob.Random(6000);
        var id = await Api.CreateUploadAsync();
        foreach (var (offset, length) in new[] { (0, 3000), (0, 3000), (3000, 3000), (3000, 3000), (1000, 1000) })
        {
            using var response = await Api.PutSegmentAsync(id, offset, blob.Bytes.AsMemory(offset, length));
            await ContentApiClient.ReadAsync(response, HttpStatusCode.OK);
        }

        Assert.That(await SizeAsync(id), Is.EqualTo(6000));
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        using var import = await Api.ImportAsync(repository, id, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() });
        await ContentApiClient.ReadAsync(import, HttpStatusCode.Accepted);
        Assert.That(await StoredContentAsync(blob.Digest.ToString()), Is.EqualTo(blob.Bytes));
    }

    [Test]
    public async Task Segment_PastTheEnd_Is400SayingWhereToStart()
    {
        var id = await Api.CreateUploadAsync();
        using (var first = await Api.PutSegmentAsync(id, 0, new byte[100]))
        {
            await ContentApiClient.ReadAsync(first, HttpStatusCode.OK);
        }

        using var gap = await Api.PutSegmentAsync(id, 500, new byte[100]);
        var error = await ContentApiClient.ReadErrorAsync(gap, HttpStatusCode.BadRequest, "BRT0205", "holds 100 bytes", "offset 100");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error["error"]!["data"]!["size"]!.GetValue<long>(), Is.EqualTo(100));
            Assert.That(await SizeAsync(id), Is.EqualTo(100));
        }
    }

    [TestCase("abc")]
    [TestCase("-1")]
    [TestCase("1.5")]
    [TestCase("99999999999999999999999")]
    public async Task Segment_AtAnOffsetThatIsNotOne_Is400(string offset)
    {
        var id = await Api.CreateUploadAsync();
        using var response = await Api.Http.PutAsync($"{ContentApiClient.Root}/content/uploads/{id}/{offset}/", new ByteArrayContent([1, 2, 3]));
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0205", offset);
        Assert.That(await SizeAsync(id), Is.Zero);
    }

    [Test]
    public async Task Segment_LargerThanKestrelsDefaultLimit_IsAccepted()
    {
        var bytes = new byte[40 * 1024 * 1024];
        RandomNumberGenerator.Fill(bytes.AsSpan(0, 4096));
        var id = await Api.CreateUploadAsync();
        using var response = await Api.PutSegmentAsync(id, 0, bytes);
        Assert.That((await ContentApiClient.ReadAsync(response, HttpStatusCode.OK))["size"]!.GetValue<long>(), Is.EqualTo(bytes.Length));
    }

    [TestCase("0123456789abcdef0123456789abcdef")]
    [TestCase("not-an-upload")]
    [TestCase("..%2F..%2Fberth.db")]
    public async Task UnknownUpload_Is404ForEveryVerb(string id)
    {
        using var get = await Api.Http.GetAsync($"{ContentApiClient.Root}/content/uploads/{id}/");
        await ContentApiClient.ReadErrorAsync(get, HttpStatusCode.NotFound, "PLP0009");
        using var put = await Api.Http.PutAsync($"{ContentApiClient.Root}/content/uploads/{id}/0/", new ByteArrayContent([1]));
        await ContentApiClient.ReadErrorAsync(put, HttpStatusCode.NotFound, "PLP0009");
        using var delete = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/uploads/{id}/");
        await ContentApiClient.ReadErrorAsync(delete, HttpStatusCode.NotFound, "PLP0009");
    }

    [Test]
    public async Task Delete_RemovesTheUploadAndItsBytes()
    {
        var id = await Api.UploadAsync(RandomNumberGenerator.GetBytes(1000));
        using (var response = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/uploads/{id}/"))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.OK);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await Api.GetJsonAsync("/content/uploads/"))["upload_ids"]!.AsArray().Select(i => i!.GetValue<string>()), Does.Not.Contain(id));
            if (Kind == ServerKind.Replicas)
            {
                // Each replica drops its local copy at its next purge round; the shared bytes go at once.
                Assert.That(await StoredUploadPartsAsync(id), Is.Empty);
            }
            else
            {
                Assert.That(File.Exists(Path.Combine(Host.DataDir, "uploads", id)), Is.False);
            }
        }

        using var again = await Api.Http.GetAsync($"{ContentApiClient.Root}/content/uploads/{id}/");
        await ContentApiClient.ReadErrorAsync(again, HttpStatusCode.NotFound);
    }

    [Test]
    public async Task ConcurrentSegments_ToOneUpload_AreWrittenOneAtATime()
    {
        var bytes = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var id = await Api.CreateUploadAsync();
        using (var first = await Api.PutSegmentAsync(id, 0, bytes.AsMemory(0, 4 * 1024 * 1024)))
        {
            await ContentApiClient.ReadAsync(first, HttpStatusCode.OK);
        }

        // The same second half, sent twice at once: whatever the order, the upload ends whole.
        var sends = Enumerable.Range(0, 2).Select(_ => Api.PutSegmentAsync(id, 4 * 1024 * 1024, bytes.AsMemory(4 * 1024 * 1024))).ToList();
        foreach (var response in await Task.WhenAll(sends))
        {
            using (response)
            {
                await ContentApiClient.ReadAsync(response, HttpStatusCode.OK);
            }
        }

        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        using var import = await Api.ImportAsync(repository, id, "docker_blob", new JsonObject { ["digest"] = Docker.Common.Digests.Digest.Compute(bytes).ToString() });
        await ContentApiClient.ReadAsync(import, HttpStatusCode.Accepted);
    }
}
