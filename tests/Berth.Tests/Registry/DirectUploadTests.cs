using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Registry;

/// <summary>A server that writes uploads around the page cache (Berth:DirectUploads).</summary>
[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
public sealed class DirectUploadTests(ServerKind kind) : RegistryFixture(kind)
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["Berth:DirectUploads"] = "true" };

    [Test]
    public async Task PushedBlobsOfAwkwardSizes_ArePulledIntact()
    {
        var name = NewName();
        foreach (var size in new[] { 0, 1, 4095, 4096, 1_048_577, 3_000_001 })
        {
            var blob = TestBlob.Random(size);
            await Registry.PushBlobAsync(name, blob);
            using var response = await Registry.Http.GetAsync($"/v2/{name}/blobs/{blob.Digest}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes), $"{size} bytes");
        }
    }
}
