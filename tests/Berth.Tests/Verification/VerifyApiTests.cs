using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Verification;

/// <summary>The verification endpoint: it re-hashes content and names what is wrong, for administrators only.</summary>
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
[TestFixture(StorageBackend.PostgreSqlS3Streamed)]
public sealed class VerifyApiTests(StorageBackend backend) : AccessFixture(ServerKind.InProcess, backend)
{
    private const string Verify = "/pulp/api/v2/content/actions/verify/";

    [Test]
    public async Task IntactContent_IsReportedOk()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var image = TestManifest.DockerImage();
        await Api.ImportImageAsync(repository, image, "v1");

        var report = await VerifyAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(report["ok"]!.GetValue<bool>(), Is.True, report.ToJsonString());
            Assert.That(report["content_files"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(image.Blobs.Count + 1));
            Assert.That(report["content_bytes"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(image.Blobs.Sum(b => b.Bytes.LongLength) + image.Bytes.Length));
            Assert.That(report["tags"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(1));
        }
    }

    [Test]
    public async Task ChangedMissingAndStrayFiles_AreEachNamed()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var image = TestManifest.DockerImage(layers: 2);
        await Api.ImportImageAsync(repository, image, "v1");
        var (changed, missing) = (image.Blobs[1].Digest.ToString(), image.Blobs[2].Digest.ToString());
        var original = (await StoredContentAsync(changed))!;
        var damaged = (byte[])original.Clone();
        damaged[^1] ^= 0xff;
        await PutStoredContentAsync(changed, damaged);
        await DeleteStoredContentAsync(missing);
        var stray = await PutStrayContentAsync("not-a-digest");
        try
        {
            var report = await VerifyAsync();
            var problems = report["problems"]!.AsArray().Select(p => $"{p!["kind"]} {p["subject"]}").ToList();

            using (Assert.EnterMultipleScope())
            {
                Assert.That(report["ok"]!.GetValue<bool>(), Is.False);
                Assert.That(problems, Has.Some.StartsWith("mismatch ").And.Contains(image.Blobs[1].Digest.Encoded));
                Assert.That(problems, Has.Some.EqualTo($"missing docker_blob {image.Blobs[2].Digest}"));
                Assert.That(problems, Has.Some.EqualTo($"stray {stray}"));
            }
        }
        finally
        {
            // Leave the fixture's store whole for the other tests.
            await PutStoredContentAsync(changed, original);
            await PutStoredContentAsync(missing, image.Blobs[2].Bytes);
            await DeleteStrayContentAsync(stray);
        }
    }

    [Test]
    public async Task NonAdministrator_IsForbidden()
    {
        var user = await CreateUserAsync(("*", "pull,push,delete"));
        using var client = ClientAs(user);
        using var response = await client.PostAsync(Verify, null);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.Forbidden, "BRT0403");
    }

    private async Task<JsonNode> VerifyAsync()
    {
        using var response = await Api.Http.PostAsync(Verify, null);
        return await ContentApiClient.ReadAsync(response, HttpStatusCode.OK);
    }
}
