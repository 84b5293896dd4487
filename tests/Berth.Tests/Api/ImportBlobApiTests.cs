using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;

namespace Berth.Tests.Api;

public sealed class ImportBlobApiTests : ApiFixture
{
    private string _repository = null!;

    [SetUp]
    public async Task CreateRepository()
    {
        _repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(_repository);
    }

    private static JsonObject Key(object digest) => new() { ["digest"] = digest.ToString() };

    [Test]
    public async Task Import_StoresTheBytesAtTheirContentPath_AndAnswersWithTheUnit()
    {
        var blob = TestBlob.Random(5000);
        var uploadId = await Api.UploadAsync(blob.Bytes, segmentSize: 1024);
        using var response = await Api.ImportAsync(_repository, uploadId, "docker_blob", Key(blob.Digest));
        var report = await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        var unit = report["result"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report["error"], Is.Null);
            Assert.That(report["spawned_tasks"]!.AsArray(), Has.Count.EqualTo(1), "Pulp 2 runs imports as tasks: one, already finished");
            Assert.That(unit["unit_type_id"]!.GetValue<string>(), Is.EqualTo("docker_blob"));
            Assert.That(unit["unit_id"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(unit["unit_key"]!["digest"]!.GetValue<string>(), Is.EqualTo(blob.Digest.ToString()));
            Assert.That(unit["metadata"]!["digest"]!.GetValue<string>(), Is.EqualTo(blob.Digest.ToString()));
            Assert.That(unit["metadata"]!["size"]!.GetValue<long>(), Is.EqualTo(5000));
            Assert.That(await StoredContentAsync(blob.Digest.ToString()), Is.EqualTo(blob.Bytes));
        }
    }

    [Test]
    public async Task Import_ConsumesTheUpload()
    {
        var blob = TestBlob.Random(100);
        var uploadId = await Api.UploadAsync(blob.Bytes);
        using (var response = await Api.ImportAsync(_repository, uploadId, "docker_blob", Key(blob.Digest)))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        }

        using var again = await Api.ImportAsync(_repository, uploadId, "docker_blob", Key(blob.Digest));
        await ContentApiClient.ReadErrorAsync(again, HttpStatusCode.NotFound, "PLP0009", uploadId);
        Assert.That(File.Exists(Path.Combine(Host.DataDir, "uploads", uploadId)), Is.False);
    }

    [Test]
    public async Task Import_WrongDigest_Is400_StoresNothing_AndKeepsTheUploadForAnotherTry()
    {
        var blob = TestBlob.Random(100);
        var claimed = Digest.Compute(RandomNumberGenerator.GetBytes(100));
        var uploadId = await Api.UploadAsync(blob.Bytes);
        using (var response = await Api.ImportAsync(_repository, uploadId, "docker_blob", Key(claimed)))
        {
            var error = await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0106", claimed.ToString(), blob.Digest.ToString());
            Assert.That(error["error"]!["data"]!["actual"]!.GetValue<string>(), Is.EqualTo(blob.Digest.ToString()));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await IsStoredAsync(claimed.ToString()), Is.False);
            Assert.That(await IsStoredAsync(blob.Digest.ToString()), Is.False);
            Assert.That(await Api.SearchUnitsAsync(_repository), Is.Empty);
        }

        using var retry = await Api.ImportAsync(_repository, uploadId, "docker_blob", Key(blob.Digest));
        await ContentApiClient.ReadAsync(retry, HttpStatusCode.Accepted);
    }

    [Test]
    public async Task Import_Sha512Digest_IsVerifiedAndStoredUnderIt()
    {
        var blob = TestBlob.Random(3000);
        var digest = Digest.Compute(blob.Bytes, DigestAlgorithm.Sha512);
        using var response = await Api.ImportAsync(_repository, await Api.UploadAsync(blob.Bytes, 1000), "docker_blob", Key(digest));
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        Assert.That(await StoredContentAsync(digest.ToString()), Is.EqualTo(blob.Bytes));
    }

    [Test]
    public async Task Import_AfterAnOverwrittenSegment_HashesWhatTheFileHolds()
    {
        var blob = TestBlob.Random(4000);
        var uploadId = await Api.CreateUploadAsync();
        var garbage = RandomNumberGenerator.GetBytes(2000);
        foreach (var (offset, bytes) in new[] { (0, garbage), (0, blob.Bytes[..2000]), (2000, blob.Bytes[2000..]) })
        {
            using var segment = await Api.PutSegmentAsync(uploadId, offset, bytes);
            await ContentApiClient.ReadAsync(segment, HttpStatusCode.OK);
        }

        using var response = await Api.ImportAsync(_repository, uploadId, "docker_blob", Key(blob.Digest));
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
    }

    [Test]
    public async Task Import_AnEmptyBlob_Works()
    {
        var blob = new TestBlob([], "application/octet-stream");
        var unit = await Api.ImportBlobAsync(_repository, blob);
        Assert.That(unit["metadata"]!["size"]!.GetValue<long>(), Is.Zero);
    }

    [Test]
    public async Task Import_OfABlobThatExists_ChecksTheBytes_ThenOnlyAssociatesIt()
    {
        var other = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(other);
        var blob = TestBlob.Random(700);
        var first = await Api.ImportBlobAsync(_repository, blob);

        using (var wrongBytes = await Api.ImportAsync(other, await Api.UploadAsync(RandomNumberGenerator.GetBytes(700)), "docker_blob", Key(blob.Digest)))
        {
            await ContentApiClient.ReadErrorAsync(wrongBytes, HttpStatusCode.BadRequest, "BRT0106");
        }

        Assert.That(await Api.SearchUnitsAsync(other), Is.Empty, "bytes that do not match must not associate the existing blob");
        var second = await Api.ImportBlobAsync(other, blob);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(second["unit_id"]!.GetValue<string>(), Is.EqualTo(first["unit_id"]!.GetValue<string>()));
            Assert.That((await Api.SearchUnitsAsync(other)).Single()!["unit_id"]!.GetValue<string>(), Is.EqualTo(first["unit_id"]!.GetValue<string>()));
            Assert.That(await StoredContentAsync(blob.Digest.ToString()), Is.EqualTo(blob.Bytes));
        }
    }

    [Test]
    public async Task Import_TheSameBlobTwice_KeepsOneAssociation()
    {
        var blob = TestBlob.Random(10);
        await Api.ImportBlobAsync(_repository, blob);
        await Api.ImportBlobAsync(_repository, blob);
        Assert.That(await Api.SearchUnitsAsync(_repository, "docker_blob"), Has.Count.EqualTo(1));
    }

    [TestCase("{}", "BRT0102", "unit_key.digest is required")]
    [TestCase("{\"digest\":\"sha256:abc\"}", "BRT0105", "exactly 64 lowercase hex")]
    [TestCase("{\"digest\":\"md5:d41d8cd98f00b204e9800998ecf8427e\"}", "BRT0105", "unsupported digest algorithm 'md5'")]
    [TestCase("{\"digest\":\"sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\"}", "BRT0105", "lowercase")]
    [TestCase("{\"digest\":42}", "BRT0102", "must be a non-empty string")]
    [TestCase("{\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":1}", "BRT0102", "unknown field size")]
    public async Task Import_BadUnitKey_Is400SayingWhy(string unitKey, string code, string reason)
    {
        var uploadId = await Api.UploadAsync([1, 2, 3]);
        using var response = await Api.ImportAsync(_repository, uploadId, "docker_blob", JsonNode.Parse(unitKey)!.AsObject());
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, code, reason);
        Assert.That(await Api.SearchUnitsAsync(_repository), Is.Empty);
    }

    [Test]
    public async Task Import_BlobWithUnknownMetadata_Is400()
    {
        var blob = TestBlob.Random(3);
        using var response = await Api.ImportAsync(_repository, await Api.UploadAsync(blob.Bytes), "docker_blob", Key(blob.Digest), new JsonObject { ["colour"] = "red" });
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0103", "colour");
    }

    [Test]
    public async Task Import_BlobWithoutUpload_Is400SayingToUploadFirst()
    {
        using var response = await Api.ImportAsync(_repository, null, "docker_blob", Key(Digest.Compute([1])));
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0104", "upload_id");
    }

    [Test]
    public async Task Import_UnknownUpload_Is404()
    {
        using var response = await Api.ImportAsync(_repository, "0123456789abcdef0123456789abcdef", "docker_blob", Key(Digest.Compute([1])));
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009", "0123456789abcdef0123456789abcdef");
    }

    [Test]
    public async Task Import_IntoUnknownRepository_Is404_AndKeepsTheUpload()
    {
        var blob = TestBlob.Random(3);
        var uploadId = await Api.UploadAsync(blob.Bytes);
        using var response = await Api.ImportAsync("no-such-repository", uploadId, "docker_blob", Key(blob.Digest));
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009", "no-such-repository");
        Assert.That((await Api.GetJsonAsync($"/content/uploads/{uploadId}/"))["size"]!.GetValue<long>(), Is.EqualTo(3));
    }

    [Test]
    public async Task Import_IntoRepositoryWithoutImporters_Is400SayingWhichToRegister()
    {
        var bare = NewRepositoryId();
        await Api.CreateRepositoryAsync(bare);
        var blob = TestBlob.Random(3);
        using var response = await Api.ImportAsync(bare, await Api.UploadAsync(blob.Bytes), "docker_blob", Key(blob.Digest));
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0202", "no importers", "docker_blob_importer");
    }

    [Test]
    public async Task Import_OfAnUnknownUnitType_Is400ListingTheKnownOnes()
    {
        using var response = await Api.ImportAsync(_repository, await Api.UploadAsync([1]), "rpm", new JsonObject());
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0201", "rpm", "docker_blob");
    }

    [TestCase("{}", "unit_type_id is required")]
    [TestCase("{\"unit_type_id\":\"docker_blob\",\"unit_key\":\"x\"}", "unit_key must be an object")]
    [TestCase("{\"unit_type_id\":\"docker_blob\",\"upload_id\":7}", "upload_id must be a non-empty string")]
    [TestCase("{\"unit_type_id\":\"docker_blob\",\"unexpected\":true}", "unknown field unexpected")]
    [TestCase("{\"unit_type_id\":\"docker_blob\",\"override_config\":1}", "override_config must be an object")]
    public async Task Import_MalformedRequest_Is400(string body, string reason)
    {
        using var response = await Api.PostJsonAsync($"/repositories/{_repository}/actions/import_upload/", body);
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", reason);
    }

    [Test]
    public async Task ConcurrentImports_OfTheSameBlob_IntoManyRepositories_AllSucceedWithOneUnit()
    {
        var blob = TestBlob.Random(200_000);
        var repositories = Enumerable.Range(0, 8).Select(_ => NewRepositoryId()).ToList();
        foreach (var repository in repositories)
        {
            await Api.CreateDockerRepositoryAsync(repository);
        }

        var units = await Task.WhenAll(repositories.Select(r => Api.ImportBlobAsync(r, blob)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(units.Select(u => u["unit_id"]!.GetValue<string>()).Distinct().Count(), Is.EqualTo(1));
            Assert.That(await StoredContentAsync(blob.Digest.ToString()), Is.EqualTo(blob.Bytes));
            Assert.That(Directory.EnumerateFiles(Path.Combine(Host.DataDir, "tmp")), Is.Empty);
        }
    }
}
