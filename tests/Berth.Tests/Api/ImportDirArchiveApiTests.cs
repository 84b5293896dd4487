using System.Formats.Tar;
using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>import_upload of a docker_manifest whose upload is a tar of a skopeo dir: folder (as pulp_docker 3.x took).</summary>
public sealed class ImportDirArchiveApiTests : ApiFixture
{
    [Test]
    public async Task TarOfADirFolder_ImportsItsBlobsAndManifest_AndTags()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var image = TestManifest.DockerImage(layers: 2, layerSize: 300_000);

        using var response = await ImportArchiveAsync(repository, image, tag: "1.0");

        var unit = await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        Assert.That(unit["result"]!["unit_key"]!["digest"]!.GetValue<string>(), Is.EqualTo(image.Digest.ToString()));
        Assert.That((await Api.SearchUnitsAsync(repository, "docker_blob")).Count, Is.EqualTo(3));
        using var served = await Api.Http.GetAsync($"/v2/{repository}/manifests/1.0");
        Assert.That(await served.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
        foreach (var blob in image.Blobs)
        {
            using var pulled = await Api.Http.GetAsync($"/v2/{repository}/blobs/{blob.Digest}");
            Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes));
        }
    }

    /// <summary>The archive ceilings leave real images alone: a hundred layers, in each tar format a tool may write.</summary>
    [TestCase(TarEntryFormat.Pax)]
    [TestCase(TarEntryFormat.Gnu)]
    [TestCase(TarEntryFormat.Ustar)]
    public async Task TarOfAHundredLayerImage_Imports_UnderTheDefaultCeilings(TarEntryFormat format)
    {
        var repository = await DockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 100, layerSize: 2000);
        var folder = ImageFolders.WriteSkopeoDir(Folder.Combine(repository + "-dir"), image);
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, format, leaveOpen: true))
        {
            foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                await writer.WriteEntryAsync(file, "./" + Path.GetFileName(file));
            }
        }

        var uploadId = await Api.UploadAsync(tar.ToArray());
        using var response = await Api.ImportAsync(repository, uploadId, "docker_manifest", new JsonObject { ["digest"] = image.Digest.ToString() });

        await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        Assert.That(await Api.SearchUnitsAsync(repository, "docker_blob"), Has.Count.EqualTo(101));
    }

    /// <summary>
    /// A small fuzz of the archive reader through the API: a valid tar damaged at random (bytes changed in and near
    /// its headers, cut short) is imported or refused with a 4xx, never a server error (the fixture fails a test
    /// during which the server logged one).
    /// </summary>
    [Test]
    public async Task DamagedTars_AreImportedOrRefused_NeverAServerError()
    {
        var repository = await DockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 2, layerSize: 700);
        var folder = ImageFolders.WriteSkopeoDir(Folder.Combine(repository + "-dir"), image);
        using var whole = new MemoryStream();
        await TarFile.CreateFromDirectoryAsync(folder, whole, includeBaseDirectory: false);
        var tar = whole.ToArray();
        var random = new Random(18);
        var statuses = new List<int>();
        for (var round = 0; round < 150; round++)
        {
            var damaged = (byte[])tar.Clone();
            if (round % 3 == 0)
            {
                damaged = damaged[..random.Next(512, damaged.Length)];
            }

            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                // Headers are where the reader trusts least: every 512-byte block may be one.
                var block = random.Next(damaged.Length / 512) * 512;
                damaged[Math.Min(damaged.Length - 1, block + random.Next(512))] = (byte)random.Next(256);
            }

            var upload = await Api.UploadAsync(damaged);
            using var response = await Api.ImportAsync(repository, upload, "docker_manifest", []);
            statuses.Add((int)response.StatusCode);

            // A refused import leaves its upload for another try; a careful client deletes it, and the user's
            // uploads are limited (Berth:Uploads:MaxOpenPerUser).
            if (!response.IsSuccessStatusCode)
            {
                using var deleted = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/uploads/{upload}/");
                Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }
        }

        Assert.That(statuses, Has.All.LessThan(500));
        TestContext.Out.WriteLine(string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key}: {g.Count()}")));
    }

    [Test]
    public async Task BlobsTheRepositoryHas_MayBeLeftOut()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var image = TestManifest.DockerImage(layers: 2);
        await Api.ImportBlobAsync(repository, image.Blobs[1]);

        using var response = await ImportArchiveAsync(repository, image, leaveOut: image.Blobs[1]);

        await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        Assert.That((await Api.SearchUnitsAsync(repository, "docker_manifest")).Count, Is.EqualTo(1));
    }

    [Test]
    public async Task BlobNeitherInTheTarNorTheRepository_IsRefused_AndNothingIsImported()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var image = TestManifest.DockerImage(layers: 2);

        using var response = await ImportArchiveAsync(repository, image, leaveOut: image.Blobs[2]);

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0109", image.Blobs[2].Digest.ToString());
        Assert.That(await Api.SearchUnitsAsync(repository), Is.Empty);
    }

    [Test]
    public async Task WrongDeclaredDigest_IsRefused_BeforeAnyBlobIsImported()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var image = TestManifest.DockerImage();

        using var response = await ImportArchiveAsync(repository, image, declared: TestManifest.OciImage().Digest.ToString());

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0106");
        Assert.That(await Api.SearchUnitsAsync(repository), Is.Empty);
    }

    [Test]
    public async Task TarOfSomethingElse_IsRefused()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var folder = Folder.Combine(repository);
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "readme.txt"), "not an image");
        using var tar = new MemoryStream();
        await TarFile.CreateFromDirectoryAsync(folder, tar, includeBaseDirectory: false);
        var uploadId = await Api.UploadAsync(tar.ToArray());

        using var response = await Api.ImportAsync(repository, uploadId, "docker_manifest", []);

        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "BRT0108", "skopeo dir:");
        Assert.That(await Api.SearchUnitsAsync(repository), Is.Empty);
    }

    private async Task<HttpResponseMessage> ImportArchiveAsync(string repository, TestManifest image, string? tag = null, TestBlob? leaveOut = null, string? declared = null)
    {
        var folder = ImageFolders.WriteSkopeoDir(Folder.Combine(repository + "-dir"), image);
        if (leaveOut is not null)
        {
            File.Delete(Path.Combine(folder, leaveOut.Digest.Encoded));
        }

        using var tar = new MemoryStream();
        await TarFile.CreateFromDirectoryAsync(folder, tar, includeBaseDirectory: false);
        var uploadId = await Api.UploadAsync(tar.ToArray());
        return await Api.ImportAsync(
            repository, uploadId, "docker_manifest", new JsonObject { ["digest"] = declared ?? image.Digest.ToString() }, tag is null ? null : new JsonObject { ["tag"] = tag });
    }
}
