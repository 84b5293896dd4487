using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Server.Imports;
using Berth.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>
/// The server's import ceilings (Berth:Imports:*, issue 18 finding 5), each attack at a scale CI affords, against a
/// server whose ceilings are lowered to that scale: what a request chooses cannot raise a ceiling, refusals stay
/// small whatever the document names, archives are checked before anything is allocated for them, and concurrent
/// imports share a fixed memory budget without failing.
/// </summary>
public sealed class ImportLimitApiTests : ApiFixture
{
    private const int MaxDocumentBytes = 1024 * 1024;
    private const int MaxReferences = 3000;
    private const int MaxArchiveEntries = 50;
    private const int BudgetBytes = 2 * 1024 * 1024;

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["Berth:Imports:MaxDocumentBytes"] = MaxDocumentBytes.ToString(CultureInfo.InvariantCulture),
        ["Berth:Imports:MaxDocumentReferences"] = MaxReferences.ToString(CultureInfo.InvariantCulture),
        ["Berth:Imports:MaxArchiveEntries"] = MaxArchiveEntries.ToString(CultureInfo.InvariantCulture),
        ["Berth:Imports:MemoryBudgetBytes"] = BudgetBytes.ToString(CultureInfo.InvariantCulture),
    };

    [Test]
    public async Task OverrideConfig_RaisingMaxManifestBytes_CannotPassTheServerCeiling()
    {
        var repository = await DockerRepositoryAsync();
        var uploadId = await Api.UploadAsync(Padded(MaxDocumentBytes + 1));

        using var response = await Api.ImportAsync(
            repository, uploadId, "docker_manifest", [], overrideConfig: new JsonObject { ["max_manifest_bytes"] = 2_000_000_000 });

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "BRT0107", $"the largest accepted is {MaxDocumentBytes} bytes (the server's ceiling)");
        Assert.That(await Api.SearchUnitsAsync(repository, "docker_manifest"), Is.Empty);
    }

    [Test]
    public async Task RegisteredConfig_RaisingMaxManifestBytes_CannotPassTheServerCeiling()
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository, "docker_blob_importer");
        await RegisterManifestImporterAsync(repository, 2_000_000_000);
        var uploadId = await Api.UploadAsync(Padded(MaxDocumentBytes + 1));

        using var response = await Api.ImportAsync(repository, uploadId, "docker_manifest", []);

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "BRT0107", "(the server's ceiling)");
    }

    [Test]
    public async Task OverrideConfig_CannotRaiseTheLimitTheRepositoryRegistered()
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository, "docker_blob_importer");
        await RegisterManifestImporterAsync(repository, 1000);
        var uploadId = await Api.UploadAsync(Padded(2000));

        using var response = await Api.ImportAsync(
            repository, uploadId, "docker_manifest", [], overrideConfig: new JsonObject { ["max_manifest_bytes"] = 100_000 });

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "BRT0107", "(importer_config.max_manifest_bytes)");
    }

    [Test]
    public async Task ManifestNamingThousandsOfMissingLayers_GetsARefusalOfAFewKilobytes()
    {
        var repository = await DockerRepositoryAsync();
        var uploadId = await Api.UploadAsync(LargeDocuments.ManifestWithMissingLayers(2500));

        using var response = await Api.ImportAsync(repository, uploadId, "docker_manifest", []);

        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.That(body, Has.Length.LessThan(4096), "the refusal grew with the document");
        var error = JsonNode.Parse(body)!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(error["error"]!["code"]!.GetValue<string>(), Is.EqualTo("BRT0109"));
            Assert.That(error["error"]!["data"]!["missing_blobs"]!.AsArray(), Has.Count.EqualTo(20));
            Assert.That(error["error"]!["data"]!["missing_blobs_total"]!.GetValue<int>(), Is.EqualTo(2501), "the layers and the config");
            Assert.That(error["error_message"]!.GetValue<string>(), Does.Contain("2501 blobs").And.Contain("and 2498 more"));
        }
    }

    [Test]
    public async Task PushNamingThousandsOfMissingLayers_GetsARefusalOfAFewKilobytes()
    {
        var repository = await DockerRepositoryAsync();

        using var response = await PutManifestAsync(repository, LargeDocuments.ManifestWithMissingLayers(2500));

        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.That(body, Has.Length.LessThan(4096), "the refusal grew with the document");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(JsonNode.Parse(body)!["errors"]![0]!["code"]!.GetValue<string>(), Is.EqualTo("MANIFEST_BLOB_UNKNOWN"));
        }
    }

    [Test]
    public async Task ManifestWithMoreLayersThanTheCap_IsInvalid_BeforeAnyIsLookedUp()
    {
        var repository = await DockerRepositoryAsync();
        var uploadId = await Api.UploadAsync(LargeDocuments.ManifestWithMissingLayers(MaxReferences + 1));

        using var response = await Api.ImportAsync(repository, uploadId, "docker_manifest", []);

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0108", $"layers has {MaxReferences + 1} entries; at most {MaxReferences} are accepted");
    }

    [Test]
    public async Task IndexWithMoreManifestsThanTheCap_IsInvalid_OnBothApis()
    {
        var repository = await DockerRepositoryAsync();
        var index = LargeDocuments.IndexWithMissingManifests(MaxReferences + 1);
        var uploadId = await Api.UploadAsync(index);

        using var imported = await Api.ImportAsync(repository, uploadId, "docker_manifest_list", []);
        using var pushed = await PutManifestAsync(repository, index, "application/vnd.oci.image.index.v1+json");

        await ContentApiClient.ReadErrorAsync(imported, HttpStatusCode.BadRequest, "BRT0108", $"manifests has {MaxReferences + 1} entries");
        await RegistryClient.ReadErrorAsync(pushed, HttpStatusCode.BadRequest, "MANIFEST_INVALID");
    }

    [Test]
    public async Task ConcurrentImportsAndPushes_WithinASmallBudget_AllSucceed_AndGiveTheBudgetBack()
    {
        var repository = await DockerRepositoryAsync();
        var config = TestBlob.Config(mediaType: Docker.Common.MediaTypes.OciImageConfig);
        var layer = TestBlob.Random(64, Docker.Common.MediaTypes.OciLayerGzip);
        await Api.ImportBlobAsync(repository, config);
        await Api.ImportBlobAsync(repository, layer);

        // Twelve documents of 800 KiB where the budget holds two at once: most wait, none fails.
        var documents = Enumerable.Range(0, 12).Select(i => LargeDocuments.PaddedManifest(config, layer, 800 * 1024, salt: $"doc-{i}")).ToList();
        var uploads = await Task.WhenAll(documents.Take(6).Select(d => Api.UploadAsync(d)));
        var imports = uploads.Select(async id =>
        {
            using var response = await Api.ImportAsync(repository, id, "docker_manifest", []);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        });
        var pushes = documents.Skip(6).Select(async (d, i) =>
        {
            using var response = await PutManifestAsync(repository, d, tag: $"pushed-{i}");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        });

        var results = await Task.WhenAll(imports.Concat(pushes));

        Assert.That(results.Where(r => r.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.Created)).Select(r => r.Item2), Is.Empty);
        Assert.That(await Api.SearchUnitsAsync(repository, "docker_manifest"), Has.Count.EqualTo(12));
        Assert.That(Host.RequireServices().GetRequiredService<ImportMemoryBudget>().ReservedBytes, Is.Zero);
    }

    [Test]
    public async Task TarWhoseManifestHeaderClaims3GB_IsInvalid_AndAllocatesNothingForIt()
    {
        var repository = await DockerRepositoryAsync();
        var manifest = LargeDocuments.ManifestWithMissingLayers(1);
        var uploadId = await Api.UploadAsync(RawTar.SkopeoDir().Entry("manifest.json", '0', 3L << 30, manifest).ToArray());

        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        using var response = await Api.ImportAsync(repository, uploadId, "docker_manifest", []);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0108", "claims 3221225472 bytes");
        Assert.That(allocated, Is.LessThan(64L * 1024 * 1024));
    }

    [TestCase('x', TestName = "TarWhosePaxHeaderClaims1GiB_IsInvalid_AndAllocatesNothingForIt")]
    [TestCase('L', TestName = "TarWhoseGnuLongNameClaims1GiB_IsInvalid_AndAllocatesNothingForIt")]
    public async Task TarWhoseExtendedHeaderClaims1GiB_IsInvalid_AndAllocatesNothingForIt(char type)
    {
        var repository = await DockerRepositoryAsync();
        var tar = RawTar.SkopeoDir().Entry("PaxHeaders/manifest.json", type, 1L << 30, new byte[512]).ToArray();
        var uploadId = await Api.UploadAsync(tar);

        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        using var response = await Api.ImportAsync(repository, uploadId, "docker_manifest", []);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0108");
        Assert.That(allocated, Is.LessThan(64L * 1024 * 1024), "System.Formats.Tar allocates what such a header claims before reading it");
    }

    [Test]
    public async Task TruncatedTar_IsInvalid_NotAServerError()
    {
        var repository = await DockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 1);
        var whole = RawTar.SkopeoDir().File("manifest.json", image.Bytes).File(image.Blobs[1].Digest.Encoded, image.Blobs[1].Bytes).ToArray();
        var uploadId = await Api.UploadAsync(whole[..(whole.Length - 1024 - 700)]);

        using var response = await Api.ImportAsync(repository, uploadId, "docker_manifest", []);

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0108", "truncated");
        Assert.That(await Api.SearchUnitsAsync(repository), Is.Empty);
    }

    [Test]
    public async Task TarWithMoreEntriesThanTheCap_IsInvalid()
    {
        var repository = await DockerRepositoryAsync();
        var tar = RawTar.SkopeoDir().File("manifest.json", LargeDocuments.ManifestWithMissingLayers(1));
        for (var i = 0; i < MaxArchiveEntries; i++)
        {
            tar.File($"empty-{i}", []);
        }

        var uploadId = await Api.UploadAsync(tar.ToArray());

        using var response = await Api.ImportAsync(repository, uploadId, "docker_manifest", []);

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0108", $"more than {MaxArchiveEntries} entries");
    }

    [Test]
    public async Task TarWithPaxAndGnuLongNames_Imports()
    {
        var repository = await DockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 2);
        var tar = RawTar.SkopeoDir()
            .Pax(("path", "./manifest.json"), ("mtime", "1700000000.5"))
            .File("placeholder-name", image.Bytes)
            .Entry("././@LongLink", 'L', image.Blobs[0].Digest.Encoded.Length + 1, Encoding.ASCII.GetBytes(image.Blobs[0].Digest.Encoded + "\0"))
            .File("truncated-name", image.Blobs[0].Bytes)
            .Pax(("size", image.Blobs[1].Bytes.Length.ToString(CultureInfo.InvariantCulture)))
            .Entry(image.Blobs[1].Digest.Encoded, '0', 0, image.Blobs[1].Bytes)
            .File(image.Blobs[2].Digest.Encoded, image.Blobs[2].Bytes);

        var uploadId = await Api.UploadAsync(tar.ToArray());
        using var response = await Api.ImportAsync(repository, uploadId, "docker_manifest", [], new JsonObject { ["tag"] = "pax" });

        await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        Assert.That(await Api.SearchUnitsAsync(repository, "docker_blob"), Has.Count.EqualTo(3));
    }

    private async Task RegisterManifestImporterAsync(string repository, long maxManifestBytes)
    {
        using var response = await Api.PostJsonAsync(
            $"/repositories/{repository}/importers/",
            new JsonObject { ["importer_type_id"] = "docker_manifest_importer", ["importer_config"] = new JsonObject { ["max_manifest_bytes"] = maxManifestBytes } });
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
    }

    private async Task<HttpResponseMessage> PutManifestAsync(
        string repository, byte[] document, string mediaType = "application/vnd.oci.image.manifest.v1+json", string tag = "latest")
    {
        var content = new ByteArrayContent(document);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        return await Api.Http.PutAsync($"/v2/{repository}/manifests/{tag}", content);
    }

    private static byte[] Padded(int size) => LargeDocuments.PaddedManifest(TestBlob.Config(), TestBlob.Random(16), size);
}
