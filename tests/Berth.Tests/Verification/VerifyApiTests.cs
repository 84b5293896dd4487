using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Verification;

/// <summary>The verification endpoint: it re-hashes content and names what is wrong, for administrators only.</summary>
[TestFixture(MetadataBackend.Default)]
[TestFixture(MetadataBackend.PostgreSql)]
public sealed class VerifyApiTests(MetadataBackend backend) : AccessFixture(ServerKind.InProcess, backend)
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
        var changed = ContentPath(image.Blobs[1].Digest.ToString());
        var missing = ContentPath(image.Blobs[2].Digest.ToString());
        var stray = Path.Combine(Host.DataDir, "content", "sha256", "not-a-digest");
        var original = await File.ReadAllBytesAsync(changed);
        var damaged = (byte[])original.Clone();
        damaged[^1] ^= 0xff;
        await File.WriteAllBytesAsync(changed, damaged);
        var moved = missing + ".aside";
        File.Move(missing, Path.Combine(Path.GetTempPath(), Path.GetFileName(moved)), overwrite: true);
        await File.WriteAllTextAsync(stray, "x");
        try
        {
            var report = await VerifyAsync();
            var problems = report["problems"]!.AsArray().Select(p => $"{p!["kind"]} {p["subject"]}").ToList();

            using (Assert.EnterMultipleScope())
            {
                Assert.That(report["ok"]!.GetValue<bool>(), Is.False);
                Assert.That(problems, Has.Some.StartsWith("mismatch ").And.Contains(image.Blobs[1].Digest.Encoded));
                Assert.That(problems, Has.Some.EqualTo($"missing docker_blob {image.Blobs[2].Digest}"));
                Assert.That(problems, Has.Some.StartsWith("stray ").And.EndsWith("not-a-digest"));
            }
        }
        finally
        {
            // Leave the fixture's store whole for the other tests.
            await File.WriteAllBytesAsync(changed, original);
            File.Move(Path.Combine(Path.GetTempPath(), Path.GetFileName(moved)), missing);
            File.Delete(stray);
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
