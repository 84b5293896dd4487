using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;
using NUnit.Framework;

namespace Berth.Tests.Sync;

/// <summary>
/// <c>platforms</c>: of a list, only the manifests of the platforms named come (and the attestations that describe them),
/// in a list of their own; a list of none of them does not come; a list of all of them comes as upstream has it; an image
/// that is not a list comes whatever it runs on. A repository never holds a list that names what it lacks.
/// </summary>
public sealed class SyncPlatformTests() : SyncFixture(ServerKind.InProcess)
{
    [Test]
    public async Task Platforms_KeepOnlyThoseOfAList_InAListOfTheirOwn_AndAResyncChangesNothing()
    {
        var name = NewUpstreamName();
        var (amd, arm, ppc) = (TestManifest.DockerImage(layers: 1), TestManifest.DockerImage(layers: 1, architecture: "arm64"), TestManifest.DockerImage(layers: 1, architecture: "ppc64le"));
        var attestation = TestManifest.OciImage(layers: 1);
        var list = Index(
            amd.Descriptor(Linux("amd64")),
            arm.Descriptor(Linux("arm64", "v8")),
            ppc.Descriptor(Linux("ppc64le")),
            attestation.Descriptor(new Platform { Os = "unknown", Architecture = "unknown" }) with
            {
                Annotations = new Dictionary<string, string> { ["vnd.docker.reference.type"] = "attestation-manifest", ["vnd.docker.reference.digest"] = arm.Digest.ToString() },
            });
        var ppcOnly = Index(ppc.Descriptor(Linux("ppc64le")));
        foreach (var image in new[] { amd, arm, ppc, attestation })
        {
            await Upstream.Client.PushImageAsync(name, image);
        }

        await Upstream.Client.PushImageAsync(name, list, "multi");
        await Upstream.Client.PushImageAsync(name, ppcOnly, "ppc");
        await Upstream.Client.PushImageAsync(name, amd, "single");

        var filtered = await SyncedRepositoryAsync(new JsonObject(FeedOf(name)) { ["platforms"] = new JsonArray("linux/arm64", "linux/s390x") });
        var result = Finished(await SyncToEndAsync(filtered));
        var tagged = await TagDigestAsync(filtered, "multi");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Names(result["tags_added"]), Is.EqualTo(new[] { "multi", "single" }), "an image that is not a list comes whatever it runs on");
            Assert.That(Names(result["tags_without_platform"]), Is.EqualTo(new[] { "ppc" }));
            Assert.That(tagged, Is.Not.EqualTo(list.Digest.ToString()), "a list of its own");
            Assert.That(await TagDigestAsync(filtered, "ppc"), Is.Null);
        }

        using var served = await Api.Http.GetAsync($"/v2/{filtered}/manifests/{tagged}");
        var bytes = await served.Content.ReadAsByteArrayAsync();
        var kept = (ImageIndex)ManifestParser.Parse(bytes, 1000);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Digest.Compute(bytes).ToString(), Is.EqualTo(tagged));
            Assert.That(kept.Manifests.Select(d => d.Digest), Is.EqualTo(new[] { arm.Digest, attestation.Digest }), "in upstream's order, as upstream wrote them");
            Assert.That(kept.MediaType, Is.EqualTo(MediaTypes.OciIndex));
            var counts = await CountsAsync(filtered);
            Assert.That(counts["docker_manifest"]!.GetValue<long>(), Is.EqualTo(3), "arm64, its attestation, and the single image");
            Assert.That(counts["docker_blob"]!.GetValue<long>(), Is.EqualTo(new[] { arm, attestation, amd }.SelectMany(m => m.Blobs).DistinctBy(b => b.Digest).Count()));
        }

        var again = Finished(await SyncToEndAsync(filtered));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(again["tags_unchanged"]!.GetValue<long>(), Is.EqualTo(2), again.ToJsonString());
            Assert.That(again["blobs_downloaded"]!.GetValue<long>(), Is.Zero);
        }

        // Every platform of it named: the list comes as upstream has it, digest and all.
        var whole = await SyncedRepositoryAsync(new JsonObject(FeedOf(name))
        {
            ["platforms"] = new JsonArray("linux/amd64", "linux/arm64/v8", "linux/ppc64le"),
            ["tags"] = new JsonObject { ["include"] = new JsonArray("multi") },
        });
        Finished(await SyncToEndAsync(whole));
        Assert.That(await TagDigestAsync(whole, "multi"), Is.EqualTo(list.Digest.ToString()));
    }

    private static Platform Linux(string architecture, string? variant = null) => new() { Os = "linux", Architecture = architecture, Variant = variant };

    private static TestManifest Index(params Descriptor[] manifests) => new(
        JsonSerializer.SerializeToUtf8Bytes(new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = manifests }, DockerJsonContext.Default.ImageIndex), MediaTypes.OciIndex, []);
}
