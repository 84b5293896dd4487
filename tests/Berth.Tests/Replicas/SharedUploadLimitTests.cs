using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Replicas;

/// <summary>
/// A user's upload limits hold for their requests on every server together, when the servers share a PostgreSQL database
/// and a bucket: open uploads are counted, and bytes held or being written are reserved, in the database.
/// </summary>
[NonParallelizable]
public sealed class SharedUploadLimitTests : FolderPerTest
{
    private const int MaxOpen = 3;
    private const int MaxBytes = 100_000;
    private const string Uploads = ContentApiClient.Root + "/content/uploads/";
    private TestStorage _storage = null!;
    private ReplicaSet _replicas = null!;
    private IReadOnlyList<HttpClient> _clients = [];

    [SetUp]
    public async Task StartTwo()
    {
        _storage = await TestStorage.CreateAsync(StorageBackend.PostgreSqlS3Streamed);
        _replicas = await ReplicaSet.StartAsync(Folder, [$"--Berth:Uploads:MaxOpenPerUser={MaxOpen}", $"--Berth:Uploads:MaxBytesPerUser={MaxBytes}", .. _storage.Arguments]);
        _clients = _replicas.CreateClientsOfEachServer();
    }

    [TearDown]
    public async Task StopServers()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _replicas.DisposeAsync();
        await _storage.DisposeAsync();
    }

    [Test]
    public async Task UploadsOpenOnTwoServers_CountTogether_AndSoDoTheirBytes()
    {
        var (one, two) = (new ContentApiClient(_clients[0]), new ContentApiClient(_clients[1]));
        await one.CreateDockerRepositoryAsync("app");
        var first = await one.UploadAsync(new byte[60_000]);
        var second = await two.CreateUploadAsync();

        // A registry session counts once it holds a chunk: opened on one server, its chunk sent to the other.
        using (var opened = await _clients[0].PostAsync("/v2/app/blobs/uploads/", null))
        using (var chunk = await _clients[1].PatchAsync(opened.Headers.Location, new ByteArrayContent(new byte[10_000])))
        {
            Assert.That(chunk.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await chunk.Content.ReadAsStringAsync());
        }

        foreach (var (api, registry) in new[] { (one, _clients[0]), (two, _clients[1]) })
        {
            await ContentApiClient.ReadErrorAsync(await api.Http.PostAsync(Uploads, null), HttpStatusCode.TooManyRequests, "BRT0206", "Berth:Uploads:MaxOpenPerUser");
            await ReadErrorAsync(await registry.PostAsync("/v2/app/blobs/uploads/", null), HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
        }

        // 70,000 bytes held on two servers: 40,000 more are refused on either, declared or sent chunked, and 30,000 fit.
        await ContentApiClient.ReadErrorAsync(await two.PutSegmentAsync(second, 0, new byte[40_000]), HttpStatusCode.Forbidden, "BRT0207", "Berth:Uploads:MaxBytesPerUser");
        await ContentApiClient.ReadErrorAsync(await one.Http.PutAsync($"{Uploads}{second}/0/", new ChunkedContent(new byte[40_000], pieces: 8)), HttpStatusCode.Forbidden, "BRT0207");
        await ContentApiClient.ReadAsync(await one.PutSegmentAsync(second, 0, new byte[30_000]), HttpStatusCode.OK);
        await ContentApiClient.ReadErrorAsync(await two.PutSegmentAsync(second, 30_000, new byte[1]), HttpStatusCode.Forbidden, "BRT0207");

        // An upload ended on one server frees its place and its bytes on the other.
        using (var deleted = await two.Http.DeleteAsync($"{Uploads}{first}/"))
        {
            await ContentApiClient.ReadAsync(deleted, HttpStatusCode.OK);
        }

        Assert.That(await one.CreateUploadAsync(), Is.Not.Empty);
        await ContentApiClient.ReadAsync(await two.PutSegmentAsync(second, 30_000, new byte[60_000]), HttpStatusCode.OK);
    }

    [Test]
    public async Task ConcurrentSegmentsOnTwoServers_CannotPassTheByteLimitTogether_AndLeaveNoReservationBehind()
    {
        var apis = new[] { new ContentApiClient(_clients[0]), new ContentApiClient(_clients[1]) };
        var uploads = new[] { await apis[0].CreateUploadAsync(), await apis[1].CreateUploadAsync(), await apis[0].CreateUploadAsync() };

        var responses = await Task.WhenAll(uploads.Select((id, i) => apis[i % 2].Http.PutAsync($"{Uploads}{id}/0/", new ChunkedContent(new byte[40_000], pieces: 40))));

        var held = new long[uploads.Length];
        for (var i = 0; i < uploads.Length; i++)
        {
            held[i] = (await apis[(i + 1) % 2].GetJsonAsync($"/content/uploads/{uploads[i]}/"))["size"]!.GetValue<long>();
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(responses.Select(r => r.StatusCode), Is.All.AnyOf(HttpStatusCode.OK, HttpStatusCode.Forbidden));
            Assert.That(responses.Select(r => r.StatusCode), Has.Some.EqualTo(HttpStatusCode.Forbidden), "all three would hold 120,000 bytes");
            Assert.That(held.Sum(), Is.LessThanOrEqualTo(MaxBytes));
        }

        foreach (var response in responses)
        {
            response.Dispose();
        }

        // Once the segments are over, whatever they reserved is free again: the rest of the limit fits at once.
        var refused = Array.FindIndex(held, h => h == 0);
        Assert.That(refused, Is.Not.Negative, "a refused segment keeps nothing");
        await ContentApiClient.ReadAsync(await apis[refused % 2].PutSegmentAsync(uploads[refused], 0, new byte[MaxBytes - held.Sum()]), HttpStatusCode.OK);
    }
}
