using System.Net;
using System.Text.RegularExpressions;
using Berth.Tests.Support;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Access;

/// <summary>
/// A cross-repository mount (<c>POST .../blobs/uploads/?mount=&amp;from=</c>) by a client that follows the token
/// challenge to the letter: the challenge must name the source's pull beside the destination's pull and push, or
/// the token the client comes back with cannot mount and the blob is sent again.
/// </summary>
[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
public sealed partial class MountChallengeTests(ServerKind kind) : AccessFixture(kind)
{
    [TestCase(false, TestName = "Mount_ByAnAnonymousClient_IsChallengedForTheSourceToo_AndTheTokenAskedForMounts")]
    [TestCase(true, TestName = "Mount_WithATokenLackingPush_IsChallengedForTheSourceToo_AndTheTokenAskedForMounts")]
    public async Task Mount_FollowingTheChallenge_Mounts(bool withPullOnlyToken)
    {
        var (source, blob) = await SourceWithBlobAsync();
        var destination = "team/" + NewRepositoryId();
        var login = await CreateUserAsync((source, "pull"), (destination, "pull,push"));
        var mount = $"/v2/{destination}/blobs/uploads/?mount={blob.Digest}&from={source}";
        using var first = withPullOnlyToken ? Bearer(await TokenAsync(ClientAs(login), $"repository:{destination}:pull")) : AnonymousClient();

        using var challenged = await first.PostAsync(mount, null);

        await ReadErrorAsync(challenged, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var challenge = Challenge(challenged);
        Assert.That(challenge["scope"].Split(' '), Is.EquivalentTo(new[] { $"repository:{destination}:pull,push", $"repository:{source}:pull" }));

        using var bearer = Bearer(await FollowAsync(ClientAs(login), challenge));
        using var mounted = await bearer.PostAsync(mount, null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(mounted.StatusCode, Is.EqualTo(HttpStatusCode.Created), await mounted.Content.ReadAsStringAsync());
            Assert.That(mounted.Headers.Location?.ToString(), Is.EqualTo($"/v2/{destination}/blobs/{blob.Digest}"));
            Assert.That(Header(mounted, "Docker-Content-Digest"), Is.EqualTo(blob.Digest.ToString()));
        }

        using var pulled = await bearer.GetAsync($"/v2/{destination}/blobs/{blob.Digest}");
        Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes));
    }

    [Test]
    public async Task Mount_WithoutPullOnTheSource_GetsATokenForTheDestinationOnly_AndAFreshSession()
    {
        var (source, blob) = await SourceWithBlobAsync();
        var destination = "team/" + NewRepositoryId();
        var login = await CreateUserAsync((destination, "pull,push"));
        var mount = $"/v2/{destination}/blobs/uploads/?mount={blob.Digest}&from={source}";
        using var anonymous = AnonymousClient();
        using var challenged = await anonymous.PostAsync(mount, null);
        await ReadErrorAsync(challenged, HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        var token = await FollowAsync(ClientAs(login), Challenge(challenged));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Granted(token, source), Is.Empty);
            Assert.That(Granted(token, destination), Is.EquivalentTo(new[] { "pull", "push" }));
        }

        using var bearer = Bearer(token);
        using var session = await bearer.PostAsync(mount, null);
        Assert.That(session.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await session.Content.ReadAsStringAsync());
        var location = session.Headers.Location!.ToString();
        Assert.That(location, Does.StartWith($"/v2/{destination}/blobs/uploads/"));
        using var cancelled = await bearer.DeleteAsync(location);
        Assert.That(cancelled.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    [Test]
    public async Task Mount_FromAnInvalidName_IsChallengedForTheDestinationOnly()
    {
        var (_, blob) = await SourceWithBlobAsync();
        var destination = "team/" + NewRepositoryId();
        using var anonymous = AnonymousClient();

        using var challenged = await anonymous.PostAsync($"/v2/{destination}/blobs/uploads/?mount={blob.Digest}&from=Not_A_Name", null);

        await ReadErrorAsync(challenged, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var scopes = Challenge(challenged)["scope"].Split(' ');
        Assert.That(scopes, Has.Length.EqualTo(1).And.All.StartsWith($"repository:{destination}:"));
    }

    /// <summary>A repository holding an image pushed by the administrator, and one of the image's blobs.</summary>
    private async Task<(string Name, TestBlob Blob)> SourceWithBlobAsync()
    {
        var image = TestManifest.DockerImage();
        return (await PushedNameAsync(image), image.Blobs[^1]);
    }

    /// <summary>The parameters of a Bearer challenge.</summary>
    private static Dictionary<string, string> Challenge(HttpResponseMessage response)
    {
        var header = response.Headers.WwwAuthenticate.Single();
        Assert.That(header.Scheme, Is.EqualTo("Bearer"));
        return ChallengeParameter().Matches(header.Parameter!).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }

    /// <summary>Asks the challenge's realm for a token for its service and exactly its scope parameter, as sent.</summary>
    private static async Task<string> FollowAsync(HttpClient client, Dictionary<string, string> challenge)
    {
        using (client)
        {
            var address = $"{challenge["realm"]}?service={Uri.EscapeDataString(challenge["service"])}&scope={Uri.EscapeDataString(challenge["scope"])}";
            using var response = await client.GetAsync(new Uri(address));
            var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
            return body["token"]!.GetValue<string>();
        }
    }

    [GeneratedRegex("([a-z]+)=\"([^\"]*)\"")]
    private static partial Regex ChallengeParameter();
}
