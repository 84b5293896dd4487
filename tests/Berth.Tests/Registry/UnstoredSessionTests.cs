using System.Net;
using Berth.Tests.Access;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Registry;

/// <summary>
/// A registry upload session is stored only once it must keep bytes: its id vouches for the repository and user it was
/// opened for, so opening one writes nothing, and it still works after a restart. Ids the server did not make, or made
/// for someone or somewhere else, cancelled or expired, name nothing.
/// </summary>
public sealed class UnstoredSessionTests : AccessFixture
{
    private const int MaxOpen = 20;

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["Berth:UploadExpiry"] = "01:00:00",
        ["Berth:UploadPurgeInterval"] = "00:10:00",
        ["Berth:Uploads:MaxOpenPerUser"] = $"{MaxOpen}",
        [ServerClock.Manual.Key] = ServerClock.Manual.Value,
    };

    [Test]
    public async Task OpeningASession_StoresNothing_AndTheSessionOutlivesARestart()
    {
        var name = await DockerRepositoryAsync();
        var location = await new RegistryClient(Api.Http).StartUploadAsync(name);
        Assert.That(await OpenUploadsAsync(), Does.Not.Contain(IdOf(location)), "an empty session was stored");

        await RestartAsync(_ => { });

        var registry = new RegistryClient(Api.Http);
        using (var status = await registry.Http.GetAsync(location))
        {
            Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await status.Content.ReadAsStringAsync());
            Assert.That(Header(status, "Range"), Is.EqualTo("0-0"));
        }

        var blob = TestBlob.Random(3000);
        using (var completed = await registry.Http.PutAsync(WithDigest(location, blob.Digest), new ByteArrayContent(blob.Bytes)))
        {
            Assert.That(completed.StatusCode, Is.EqualTo(HttpStatusCode.Created), await completed.Content.ReadAsStringAsync());
        }

        using var pulled = await registry.Http.GetAsync($"/v2/{name}/blobs/{blob.Digest}");
        Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes));
        Assert.That(await OpenUploadsAsync(), Does.Not.Contain(IdOf(location)));
    }

    [Test]
    public async Task IdsNotMadeForThisRepositoryAndUser_NameNoSession()
    {
        var name = await DockerRepositoryAsync();
        var location = await new RegistryClient(Api.Http).StartUploadAsync(name);
        var id = IdOf(location);
        var forged = id[..^1] + (id[^1] == '0' ? '1' : '0');
        var stamped = (Convert.ToUInt32(id[..8], 16) + 1).ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + id[8..];
        var colleague = new RegistryClient(ClientAs(await CreateUserAsync((name, "pull,push"))));

        foreach (var (client, path, what) in new[]
        {
            (Api.Http, $"/v2/{name}/blobs/uploads/{forged}", "a changed digit"),
            (Api.Http, $"/v2/{name}/blobs/uploads/{stamped}", "another time"),
            (colleague.Http, location, "another user"),
        })
        {
            var error = await ReadErrorAsync(await client.GetAsync(path), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
            Assert.That(error.ToJsonString(), Does.Not.Contain("Exception"), what);
            await ReadErrorAsync(
                await client.PutAsync(WithDigest(path, Digest.Compute([1])), new ByteArrayContent([1])), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        }

        using var own = await Api.Http.GetAsync(location);
        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), "the session itself still works");
    }

    [Test]
    public async Task ACancelledSession_StaysUnknown_AfterARestart()
    {
        var name = await DockerRepositoryAsync();
        var location = await new RegistryClient(Api.Http).StartUploadAsync(name);
        using (var cancelled = await Api.Http.DeleteAsync(location))
        {
            Assert.That(cancelled.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        await RestartAsync(_ => { });

        await ReadErrorAsync(await Api.Http.GetAsync(location), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        await ReadErrorAsync(
            await Api.Http.PutAsync(WithDigest(location, Digest.Compute([1])), new ByteArrayContent([1])), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Test]
    public async Task AnUnstoredSession_ExpiresWithTheUploadExpiry()
    {
        var name = await DockerRepositoryAsync();
        var registry = new RegistryClient(Api.Http);
        var location = await registry.StartUploadAsync(name);
        await Host.AdvanceClockAsync(TimeSpan.FromMinutes(59));
        using (var status = await registry.Http.GetAsync(location))
        {
            Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        await Host.AdvanceClockAsync(TimeSpan.FromMinutes(2));

        await ReadErrorAsync(await registry.Http.GetAsync(location), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Test]
    public async Task UnstoredSessions_CountAgainstTheOpenLimit_UntilThePurgeForgetsThemExpired()
    {
        if (UploadsShared)
        {
            Assert.Ignore("with uploads in the bucket no server keeps a session that holds nothing: it counts once a chunk stores it (SharedUploadLimitTests)");
        }

        var name = await DockerRepositoryAsync();
        var registry = new RegistryClient(ClientAs(await CreateUserAsync((name, "pull,push"))));
        for (var i = 0; i < MaxOpen; i++)
        {
            await registry.StartUploadAsync(name);
        }

        await ReadErrorAsync(await registry.Http.PostAsync($"/v2/{name}/blobs/uploads/", null), HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");

        // The purge's interval passes at once; the round it starts is then waited for, with a bound.
        await Host.AdvanceClockAsync(TimeSpan.FromMinutes(61));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await registry.Http.PostAsync($"/v2/{name}/blobs/uploads/", null, timeout.Token);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                break;
            }

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            await Task.Delay(50, timeout.Token);
        }
    }

    [Test]
    public async Task AChunk_StoresTheSession_AndAFailedCompletionKeepsWhatItSent()
    {
        var name = await DockerRepositoryAsync();
        var registry = new RegistryClient(Api.Http);
        var (chunked, completed) = (await registry.StartUploadAsync(name), await registry.StartUploadAsync(name));
        var blob = TestBlob.Random(2000);
        using (var chunk = await registry.SendAsync(HttpMethod.Patch, chunked, new ByteArrayContent(blob.Bytes.AsSpan(0, 1000).ToArray())))
        {
            Assert.That(chunk.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        await ReadErrorAsync(
            await registry.Http.PutAsync(WithDigest(completed, Digest.Compute([1])), new ByteArrayContent(blob.Bytes)), HttpStatusCode.BadRequest, "DIGEST_INVALID");
        Assert.That(await OpenUploadsAsync(), Does.Contain(IdOf(chunked)).And.Contain(IdOf(completed)));

        await RestartAsync(_ => { });

        registry = new RegistryClient(Api.Http);
        using (var status = await registry.Http.GetAsync(completed))
        {
            Assert.That(Header(status, "Range"), Is.EqualTo("0-1999"), "the bytes of the failed completion were kept");
        }

        using (var done = await registry.Http.PutAsync(WithDigest(completed, blob.Digest), null))
        {
            Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.Created), await done.Content.ReadAsStringAsync());
        }

        using (var rest = await registry.Http.PutAsync(WithDigest(chunked, blob.Digest), new ByteArrayContent(blob.Bytes.AsSpan(1000).ToArray())))
        {
            Assert.That(rest.StatusCode, Is.EqualTo(HttpStatusCode.Created), await rest.Content.ReadAsStringAsync());
        }

        Assert.That(await OpenUploadsAsync(), Does.Not.Contain(IdOf(chunked)).And.Not.Contain(IdOf(completed)));
    }

    private static string IdOf(string location) => location[(location.LastIndexOf('/') + 1)..];

    private async Task<IReadOnlyList<string>> OpenUploadsAsync() =>
        [.. (await Api.GetJsonAsync("/content/uploads/"))["upload_ids"]!.AsArray().Select(i => i!.GetValue<string>())];
}
