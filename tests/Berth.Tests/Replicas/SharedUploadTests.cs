using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Replicas;

/// <summary>
/// Two servers sharing a PostgreSQL database and a bucket take one upload's chunks in turn: each acknowledged chunk is a
/// part in the bucket, so either server continues, checks order and digest, survives the other's death, and leaves no
/// part behind once the upload ends (imported, cancelled or purged).
/// </summary>
[NonParallelizable]
public sealed class SharedUploadTests : FolderPerTest
{
    private const int ChunkBytes = 100_000;
    private const string UploadsPrefix = "uploads/";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly List<ServerProcess> _servers = [];
    private readonly List<HttpClient> _clients = [];
    private TestStorage _storage = null!;

    [SetUp]
    public async Task CreateStorage() => _storage = await TestStorage.CreateAsync(StorageBackend.PostgreSqlS3Streamed);

    [TearDown]
    public async Task StopServers()
    {
        _clients.ForEach(c => c.Dispose());
        _clients.Clear();
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _servers.Clear();
        await _storage.DisposeAsync();
    }

    [Test]
    public async Task AChunkedPush_WhoseChunksAlternateServers_KeepsItsOrderAndDigest_AndLeavesNoPartBehind()
    {
        var (one, two) = await StartTwoAsync();
        await new ContentApiClient(one).CreateDockerRepositoryAsync("app");
        var blob = RandomNumberGenerator.GetBytes((6 * ChunkBytes) + 123);
        var location = await StartAsync(one);
        location = await PatchInTurnAsync([one, two], location, blob, 0, 6);

        using (var again = await two.PatchAsync(location, Chunk(blob[..ChunkBytes], 0)))
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.RequestedRangeNotSatisfiable), "a chunk sent again is out of order on any server");
        }

        foreach (var client in new[] { one, two })
        {
            using var status = await client.GetAsync(location);
            Assert.That(Header(status, "Range"), Is.EqualTo($"0-{(6 * ChunkBytes) - 1}"), "every server reports what the upload holds");
        }

        using (var put = await two.PutAsync(WithDigest(location, Digest.Compute(blob)), Chunk(blob[(6 * ChunkBytes)..], 6 * ChunkBytes)))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await one.GetByteArrayAsync($"/v2/app/blobs/{Digest.Compute(blob)}"), Is.EqualTo(blob));
            Assert.That(await PartKeysAsync(), Is.Empty, "an imported upload's parts go with it");
            Assert.That(await CatchUpsAsync(two), Is.GreaterThanOrEqualTo(3), "each turn read the other server's chunk from the bucket");
        }
    }

    [Test]
    public async Task AServerContinuingItsOwnUpload_ReadsNothingBackFromTheBucket()
    {
        var (one, _) = await StartTwoAsync();
        await new ContentApiClient(one).CreateDockerRepositoryAsync("app");
        var blob = RandomNumberGenerator.GetBytes(4 * ChunkBytes);
        var location = await PatchInTurnAsync([one], await StartAsync(one), blob, 0, 4);
        using (var put = await one.PutAsync(WithDigest(location, Digest.Compute(blob)), null))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        }

        Assert.That(await CatchUpsAsync(one), Is.Zero, "its local copy was current at every chunk");
    }

    [Test]
    public async Task APutWithTheWrongDigest_KeepsItsChunk_AndTheUploadGoesOnElsewhere()
    {
        var (one, two) = await StartTwoAsync();
        await new ContentApiClient(one).CreateDockerRepositoryAsync("app");
        var blob = RandomNumberGenerator.GetBytes(3 * ChunkBytes);
        var location = await PatchInTurnAsync([one, two], await StartAsync(one), blob, 0, 2);

        using (var wrong = await one.PutAsync(WithDigest(location, Digest.Compute(blob.AsSpan(0, 10))), Chunk(blob[(2 * ChunkBytes)..], 2 * ChunkBytes)))
        {
            await ReadErrorAsync(wrong, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        }

        using (var status = await two.GetAsync(location))
        {
            Assert.That(Header(status, "Range"), Is.EqualTo($"0-{blob.Length - 1}"), "the last chunk is held as the single server holds it");
        }

        using (var put = await two.PutAsync(WithDigest(location, Digest.Compute(blob)), null))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        }

        Assert.That(await two.GetByteArrayAsync($"/v2/app/blobs/{Digest.Compute(blob)}"), Is.EqualTo(blob));
    }

    [Test]
    public async Task AServerKilledHalfwayThroughAnUpload_LeavesItsAcknowledgedChunksToTheOther()
    {
        var (one, two) = await StartTwoAsync();
        await new ContentApiClient(one).CreateDockerRepositoryAsync("app");
        var blob = RandomNumberGenerator.GetBytes(4 * ChunkBytes);
        var location = await PatchInTurnAsync([one], await StartAsync(one), blob, 0, 2);
        await _servers[0].KillAsync();

        location = await PatchInTurnAsync([two], location, blob, 2, 2);
        using (var put = await two.PutAsync(WithDigest(location, Digest.Compute(blob)), null))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        }

        Assert.That(await two.GetByteArrayAsync($"/v2/app/blobs/{Digest.Compute(blob)}"), Is.EqualTo(blob));
    }

    [Test]
    public async Task AnUploadCancelledOnOneServer_IsGoneFromBoth_WithItsParts()
    {
        var (one, two) = await StartTwoAsync();
        await new ContentApiClient(one).CreateDockerRepositoryAsync("app");
        var location = await PatchInTurnAsync([one], await StartAsync(one), RandomNumberGenerator.GetBytes(2 * ChunkBytes), 0, 2);
        Assert.That(await PartKeysAsync(), Has.Count.EqualTo(2));

        using (var cancel = await two.DeleteAsync(location))
        {
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        using (Assert.EnterMultipleScope())
        {
            using var status = await one.GetAsync(location);
            Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await PartKeysAsync(), Is.Empty);
        }
    }

    [Test]
    public async Task SegmentsOfTheContentApi_MayBeSentAgainOnAnyServer_AndTheImportTakesTheLastBytesSent()
    {
        var (one, two) = await StartTwoAsync();
        var (api1, api2) = (new ContentApiClient(one), new ContentApiClient(two));
        await api1.CreateDockerRepositoryAsync("app");
        var first = RandomNumberGenerator.GetBytes(ChunkBytes);
        var blob = RandomNumberGenerator.GetBytes(2 * ChunkBytes);
        var upload = await api1.CreateUploadAsync();
        foreach (var (api, offset, bytes) in new[] { (api1, 0, first), (api2, ChunkBytes, blob[ChunkBytes..]), (api1, 0, blob[..ChunkBytes]) })
        {
            using var segment = await api.PutSegmentAsync(upload, offset, bytes);
            await ContentApiClient.ReadAsync(segment, HttpStatusCode.OK);
        }

        using var import = await api2.ImportAsync("app", upload, "docker_blob", new JsonObject { ["digest"] = Digest.Compute(blob).ToString() });
        await ContentApiClient.ReadAsync(import, HttpStatusCode.Accepted);
        Assert.That(await one.GetByteArrayAsync($"/v2/app/blobs/{Digest.Compute(blob)}"), Is.EqualTo(blob), "the segment sent again replaced the first bytes");
    }

    [Test]
    public async Task AnAbandonedUpload_IsPurgedByTheLeader_WithItsParts_AndPartsNoUploadNamesAreSwept()
    {
        var (one, two) = await StartTwoAsync("--Berth:UploadExpiry=00:00:03", "--Berth:UploadPurgeInterval=00:00:01");
        await new ContentApiClient(one).CreateDockerRepositoryAsync("app");
        var location = await PatchInTurnAsync([one, two], await StartAsync(one), RandomNumberGenerator.GetBytes(2 * ChunkBytes), 0, 2);
        var stray = $"{UploadsPrefix}{Guid.NewGuid():N}/000000-stray";
        await _storage.Gateway!.WriteObjectAsync(_storage.Bucket!, stray, [1, 2, 3]);

        Assert.That(
            await Eventually.WaitAsync(
                async () =>
                {
                    using var status = await two.GetAsync(location);
                    return status.StatusCode == HttpStatusCode.NotFound;
                },
                Bound),
            Is.True,
            "an upload untouched for its expiry is purged");
        Assert.That(await Eventually.WaitAsync(async () => (await PartKeysAsync()).Count == 0, Bound), Is.True, "its parts and the stray went too");
        Assert.That(
            await Eventually.WaitAsync(() => Task.FromResult(new[] { "first", "second" }.All(s => !Directory.EnumerateFiles(Folder.Combine(s, "uploads")).Any())), Bound),
            Is.True,
            "each server drops its local copy");
    }

    [Test]
    public async Task SessionsOpenedOnOneServer_AndCompletedOnAnother_DoNotFillTheLimitsOfEither()
    {
        // As skopeo pushes small blobs behind a balancer: the POST goes to one server, the PUT with the whole blob to the other.
        var key = Folder.Combine("token-signing-key.pem");
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(key, ecdsa.ExportPkcs8PrivateKeyPem());
        }

        // One signing key, as replicas have: a session id one server made vouches for the session on the other.
        var (one, two) = await StartTwoAsync("--Berth:Uploads:MaxOpenPerUser=3", $"--Berth:Auth:TokenSigningKeyFile={key}");
        await new ContentApiClient(one).CreateDockerRepositoryAsync("app");
        for (var i = 0; i < 10; i++)
        {
            var (opening, completing) = i % 2 == 0 ? (one, two) : (two, one);
            var blob = RandomNumberGenerator.GetBytes(1000);
            using var put = await completing.PutAsync(WithDigest(await StartAsync(opening), Digest.Compute(blob)), new ByteArrayContent(blob));
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), $"push {i}: {await put.Content.ReadAsStringAsync()}");
        }

        // The limit still holds for sessions that hold something: their first chunk stores them, and they count.
        for (var i = 0; i < 3; i++)
        {
            await PatchInTurnAsync([one], await StartAsync(two), RandomNumberGenerator.GetBytes(ChunkBytes), 0, 1);
        }

        using var refused = await one.PostAsync("/v2/app/blobs/uploads/", null);
        await ReadErrorAsync(refused, HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
    }

    private static ByteArrayContent Chunk(byte[] bytes, long start)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + bytes.Length - 1}");
        return content;
    }

    private static async Task<string> StartAsync(HttpClient client)
    {
        using var started = await client.PostAsync("/v2/app/blobs/uploads/", null);
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        return started.Headers.Location!.ToString();
    }

    /// <summary>Sends chunks <paramref name="from"/> to <paramref name="from"/> + <paramref name="count"/> - 1, each to the next client in turn; returns the location after.</summary>
    private static async Task<string> PatchInTurnAsync(HttpClient[] clients, string location, byte[] blob, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            using var patch = await clients[i % clients.Length].PatchAsync(location, Chunk(blob[(i * ChunkBytes)..((i + 1) * ChunkBytes)], i * ChunkBytes));
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await patch.Content.ReadAsStringAsync());
            Assert.That(Header(patch, "Range"), Is.EqualTo($"0-{((i + 1) * ChunkBytes) - 1}"));
            location = patch.Headers.Location!.ToString();
        }

        return location;
    }

    private async Task<(HttpClient One, HttpClient Two)> StartTwoAsync(params string[] settings)
    {
        foreach (var name in new[] { "first", "second" })
        {
            var server = await ServerProcess.StartAsync(Folder.Path, ["--data-dir", Folder.Combine(name), .. settings, .. _storage.Arguments]);
            _servers.Add(server);
            _clients.Add(server.CreateClient());
        }

        return (_clients[0], _clients[1]);
    }

    /// <summary>How many times a server read parts other servers added (its <c>berth.upload.catch_up</c> count in /metrics).</summary>
    private static async Task<double> CatchUpsAsync(HttpClient server)
    {
        var exposition = await server.GetStringAsync("/metrics");
        return exposition.Split('\n')
            .Where(line => line.StartsWith("berth_upload_catch_up_milliseconds_count", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private Task<IReadOnlyList<string>> PartKeysAsync() => _storage.Gateway!.ListKeysAsync(_storage.Bucket!, UploadsPrefix);
}
