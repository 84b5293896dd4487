using System.Net;
using System.Text.Json.Nodes;
using Berth.Server.Uploads;
using Berth.Tests.Access;
using Berth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Berth.Tests.Uploads;

/// <summary>
/// Each user may have only so many uploads open and so many bytes in them (<c>Berth:Uploads</c>), counting content
/// API uploads and registry sessions together; a user who may push nowhere may not upload at all.
/// </summary>
public sealed class UploadLimitTests : AccessFixture
{
    private const int MaxOpen = 3;
    private const int MaxBytes = 100_000;
    private const string Uploads = ContentApiClient.Root + "/content/uploads/";

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["Berth:Uploads:MaxOpenPerUser"] = $"{MaxOpen}",
        ["Berth:Uploads:MaxBytesPerUser"] = $"{MaxBytes}",
    };

    private UploadService Service => Host.RequireServices().GetRequiredService<UploadService>();

    /// <summary>Issue 18: a push refused for the limit must not leave behind the repository its name would have created.</summary>
    [Test]
    public async Task AFirstPushRefusedForTheLimit_CreatesNoRepository()
    {
        var login = await CreateUserAsync(("mine/*", "pull,push"));
        var api = ApiAs(login);
        for (var i = 0; i < MaxOpen; i++)
        {
            await api.CreateUploadAsync();
        }

        var name = $"mine/{NewRepositoryId()}";
        await RegistryClient.ReadErrorAsync(await ClientAs(login).PostAsync($"/v2/{name}/blobs/uploads/", null), HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
        var names = (await Api.GetJsonAsync("/repositories/")).AsArray().Select(r => r!["registry_name"]?.GetValue<string>());
        Assert.That(names, Does.Not.Contain(name));
    }

    [Test]
    public async Task AUserMayHaveOnlySoManyUploadsOpen_OnBothApis_UntilOneEnds()
    {
        var repository = await DockerRepositoryAsync();
        var login = await CreateUserAsync((repository, "pull,push"));
        var api = ApiAs(login);
        var registry = new RegistryClient(ClientAs(login));
        var first = await api.CreateUploadAsync();
        await api.CreateUploadAsync();
        var blob = TestBlob.Random(1000);

        // A session holding a chunk counts wherever it is: behind a balancer, where it counts from its first stored chunk, too.
        var session = await registry.StartUploadAsync(repository);
        using (var chunk = await registry.SendAsync(HttpMethod.Patch, session, new ByteArrayContent(blob.Bytes[..400])))
        {
            Assert.That(chunk.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await chunk.Content.ReadAsStringAsync());
            session = chunk.Headers.Location!.ToString();
        }

        await ContentApiClient.ReadErrorAsync(await api.Http.PostAsync(Uploads, null), HttpStatusCode.TooManyRequests, "BRT0206", "Berth:Uploads:MaxOpenPerUser");
        var refused = await RegistryClient.ReadErrorAsync(
            await registry.Http.PostAsync($"/v2/{repository}/blobs/uploads/", null), HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS");
        Assert.That(refused["message"]!.GetValue<string>(), Does.Contain("finish").And.Contain("Berth:Uploads:MaxOpenPerUser"));
        Assert.That(await ApiAs(await CreateUserAsync(("*", "push"))).CreateUploadAsync(), Is.Not.Empty, "the limit is each user's own");

        using (var deleted = await api.Http.DeleteAsync($"{Uploads}{first}/"))
        {
            await ContentApiClient.ReadAsync(deleted, HttpStatusCode.OK);
        }

        var replacement = await api.CreateUploadAsync();
        await ContentApiClient.ReadErrorAsync(await api.Http.PostAsync(Uploads, null), HttpStatusCode.TooManyRequests, "BRT0206");

        // A completed push ends its session too; so does an import.
        using (var completed = await registry.Http.PutAsync(RegistryClient.WithDigest(session, blob.Digest), new ByteArrayContent(blob.Bytes[400..])))
        {
            Assert.That(completed.StatusCode, Is.EqualTo(HttpStatusCode.Created), await completed.Content.ReadAsStringAsync());
        }

        Assert.That(await registry.StartUploadAsync(repository), Is.Not.Empty);
        using (await api.PutSegmentAsync(replacement, 0, blob.Bytes))
        using (var imported = await api.ImportAsync(repository, replacement, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() }))
        {
            await ContentApiClient.ReadAsync(imported, HttpStatusCode.Accepted);
        }

        Assert.That(await api.CreateUploadAsync(), Is.Not.Empty);
    }

    [Test]
    public async Task OnOneServer_ARegistrySessionCountsFromItsOpening()
    {
        Assume.That(Service.Shared, Is.False, "where uploads are shared, a session that holds nothing is kept nowhere, and counts from its first chunk");
        var repository = await DockerRepositoryAsync();
        var login = await CreateUserAsync((repository, "pull,push"));
        var api = ApiAs(login);
        var registry = new RegistryClient(ClientAs(login));
        await api.CreateUploadAsync();
        await api.CreateUploadAsync();
        await registry.StartUploadAsync(repository);

        await ContentApiClient.ReadErrorAsync(await api.Http.PostAsync(Uploads, null), HttpStatusCode.TooManyRequests, "BRT0206");
    }

    [Test]
    public async Task BytesPastWhatAUsersUploadsMayHold_AreRefused_AndNothingOfThemIsKept()
    {
        var repository = await DockerRepositoryAsync();
        var login = await CreateUserAsync((repository, "pull,push"));
        var api = ApiAs(login);
        var registry = new RegistryClient(ClientAs(login));
        var first = await api.UploadAsync(new byte[60_000]);
        var second = await api.CreateUploadAsync();
        var session = await registry.StartUploadAsync(repository);

        // With a Content-Length, before a byte is read; chunked, as it passes the limit.
        await ContentApiClient.ReadErrorAsync(await api.PutSegmentAsync(second, 0, new byte[50_000]), HttpStatusCode.Forbidden, "BRT0207", "Berth:Uploads:MaxBytesPerUser");
        await ContentApiClient.ReadErrorAsync(
            await api.Http.PutAsync($"{Uploads}{second}/0/", new ChunkedContent(new byte[50_000])), HttpStatusCode.Forbidden, "BRT0207");
        var refused = await RegistryClient.ReadErrorAsync(
            await registry.SendAsync(HttpMethod.Patch, session, new ChunkedContent(new byte[50_000])), HttpStatusCode.Forbidden, "DENIED");
        Assert.That(refused["message"]!.GetValue<string>(), Does.Contain("Berth:Uploads:MaxBytesPerUser"));
        Assert.That(await SizeAsync(api, second), Is.Zero);

        // What fits is taken; a segment sent again adds nothing; an upload that ends frees what it held.
        await ContentApiClient.ReadAsync(await api.PutSegmentAsync(second, 0, new byte[40_000]), HttpStatusCode.OK);
        await ContentApiClient.ReadAsync(await api.PutSegmentAsync(first, 0, new byte[60_000]), HttpStatusCode.OK);
        await ContentApiClient.ReadErrorAsync(await api.PutSegmentAsync(second, 40_000, new byte[1]), HttpStatusCode.Forbidden, "BRT0207");
        using (var deleted = await api.Http.DeleteAsync($"{Uploads}{first}/"))
        {
            await ContentApiClient.ReadAsync(deleted, HttpStatusCode.OK);
        }

        await ContentApiClient.ReadAsync(await api.PutSegmentAsync(second, 40_000, new byte[50_000]), HttpStatusCode.OK);
    }

    [Test]
    public async Task ConcurrentSegmentsOfOneUser_CannotPassTheByteLimitTogether()
    {
        var login = await CreateUserAsync(("*", "push"));
        var api = ApiAs(login);
        var uploads = new[] { await api.CreateUploadAsync(), await api.CreateUploadAsync(), await api.CreateUploadAsync() };

        var responses = await Task.WhenAll(uploads.Select(id => api.Http.PutAsync($"{Uploads}{id}/0/", new ChunkedContent(new byte[40_000], pieces: 40))));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        var held = 0L;
        foreach (var id in uploads)
        {
            held += await SizeAsync(api, id);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(statuses, Is.All.AnyOf(HttpStatusCode.OK, HttpStatusCode.Forbidden));
            // All three would hold 120,000 bytes: one at least is refused (all three may be, when each had claimed a third).
            Assert.That(statuses, Has.Some.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(held, Is.LessThanOrEqualTo(MaxBytes));
        }

        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Test]
    public async Task AUserWhoMayPushNowhere_CannotOpenUploads()
    {
        var reader = await CreateUserAsync(("*", "pull"));
        await ContentApiClient.ReadErrorAsync(await ApiAs(reader).Http.PostAsync(Uploads, null), HttpStatusCode.Forbidden, "BRT0403", "push grant");

        var pusher = await CreateUserAsync(("team/*", "pull,push"));
        var pullOnly = await CreateTokenAsync(pusher, new JsonObject { ["name"] = "reader", ["scope"] = JsonNode.Parse("""[{"pattern": "*", "actions": ["pull"]}]""") }, asLogin: pusher);
        await ContentApiClient.ReadErrorAsync(await ApiAs(pusher, pullOnly).Http.PostAsync(Uploads, null), HttpStatusCode.Forbidden, "BRT0403");
        Assert.That(await ApiAs(pusher).CreateUploadAsync(), Is.Not.Empty);
    }

    [Test]
    public async Task UsersWhoseUploadsEnded_AndRefusedUsers_LeaveNoCountBehind()
    {
        Assume.That(Service.CountsInStore, Is.False, "this server keeps no count: its limits are counted in the metadata store");
        var before = Service.QuotaOwners;
        var login = await CreateUserAsync(("*", "push"));
        var api = ApiAs(login);
        var uploads = new[] { await api.UploadAsync(new byte[10]), await api.CreateUploadAsync() };
        Assert.That(Service.QuotaOwners, Is.EqualTo(before + 1));
        foreach (var id in uploads)
        {
            using var deleted = await api.Http.DeleteAsync($"{Uploads}{id}/");
            await ContentApiClient.ReadAsync(deleted, HttpStatusCode.OK);
        }

        using (await ApiAs(await CreateUserAsync(("*", "pull"))).Http.PostAsync(Uploads, null))
        {
        }

        Assert.That(Service.QuotaOwners, Is.EqualTo(before));
    }

    private static async Task<long> SizeAsync(ContentApiClient api, string id) =>
        (await api.GetJsonAsync($"/content/uploads/{id}/"))["size"]!.GetValue<long>();
}
