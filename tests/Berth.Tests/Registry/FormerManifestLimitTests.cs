using System.Net;
using Berth.Tests.Api;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Registry;

/// <summary>
/// <c>Berth:MaxManifestBytes</c>, the registry's own limit before one ceiling bound every document, still works: it
/// sets <c>Berth:Imports:MaxDocumentBytes</c>, which now binds the content API's imports as well.
/// </summary>
public sealed class FormerManifestLimitTests : ApiFixture
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["Berth:MaxManifestBytes"] = "2000" };

    [Test]
    public async Task FormerKey_SetsTheCeiling_OfPushesAndImports()
    {
        var repository = await DockerRepositoryAsync();
        var document = LargeDocuments.PaddedManifest(TestBlob.Config(), TestBlob.Random(16), 2001);
        var content = new ByteArrayContent(document);
        content.Headers.ContentType = new("application/vnd.oci.image.manifest.v1+json");

        using var pushed = await Api.Http.PutAsync($"/v2/{repository}/manifests/latest", content);
        using var imported = await Api.ImportAsync(repository, await Api.UploadAsync(document), "docker_manifest", []);

        await RegistryClient.ReadErrorAsync(pushed, HttpStatusCode.RequestEntityTooLarge, "SIZE_INVALID");
        await ContentApiClient.ReadErrorAsync(imported, HttpStatusCode.RequestEntityTooLarge, "BRT0107", "the largest accepted is 2000 bytes (the server's ceiling)");
    }
}
