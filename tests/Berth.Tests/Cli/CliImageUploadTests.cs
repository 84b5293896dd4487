using System.Net;
using Berth.Tests.Support;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;
using NUnit.Framework;

namespace Berth.Tests.Cli;

/// <summary><c>berth upload image</c> from skopeo dir: folders and OCI layouts, against the real server process.</summary>
public sealed class CliImageUploadTests : CliFixture
{
    [Test]
    public async Task SkopeoDir_UploadsInOneCommand_AndPullsBackByteIdentical()
    {
        var repository = await NewDockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 3, layerSize: 200_000);
        var folder = ImageFolders.WriteSkopeoDir(Folder.Combine(repository), image);

        var result = await Cli.RunAsync(null, "upload", "image", folder, "--repo", repository, "--tag", "1.0", "--chunk-size", "65536");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain($"1.0 {image.Digest}").And.Contain("sent 4 blobs").And.Contain("skipped 0"));
        await AssertServedAsync(repository, "1.0", image);
    }

    [Test]
    public async Task SecondUpload_SkipsTheBlobsTheRepositoryHas()
    {
        var repository = await NewDockerRepositoryAsync();
        var image = TestManifest.OciImage(layers: 2);
        var folder = ImageFolders.WriteSkopeoDir(Folder.Combine(repository), image);
        Assert.That((await Cli.RunAsync(null, "upload", "image", folder, "--repo", repository)).ExitCode, Is.Zero);

        var again = await Cli.RunAsync(null, "upload", "image", folder, "--repo", repository, "--tag", "again");

        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        Assert.That(again.Output, Does.Contain("sent 0 blobs").And.Contain("skipped 3"));
        await AssertServedAsync(repository, "again", image);
    }

    [Test]
    public async Task CorruptedBlob_IsNamed_AndNothingIsUploaded()
    {
        var repository = await NewDockerRepositoryAsync();
        var image = TestManifest.DockerImage(layers: 2);
        var folder = ImageFolders.WriteSkopeoDir(Folder.Combine(repository), image);
        var corrupted = Path.Combine(folder, image.Blobs[2].Digest.Encoded);
        await File.AppendAllTextAsync(corrupted, "x");

        var result = await Cli.RunAsync(null, "upload", "image", folder, "--repo", repository, "--tag", "1.0");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain(corrupted).And.Contain("corrupted").And.Contain("nothing was uploaded"));
        Assert.That(await Api.SearchUnitsAsync(repository), Is.Empty);
    }

    [Test]
    public async Task MultiPlatformDir_UploadsManifestsBeforeTheList_AndSkipsSignatures()
    {
        var repository = await NewDockerRepositoryAsync();
        var amd64 = TestManifest.OciImage();
        var arm64 = TestManifest.OciImage();
        var index = TestManifest.OciIndex(amd64, arm64);
        var folder = ImageFolders.WriteSkopeoDir(Folder.Combine(repository), index, amd64, arm64);
        await File.WriteAllTextAsync(Path.Combine(folder, "signature-1"), "not really a signature");

        var result = await Cli.RunAsync(null, "upload", "image", folder, "--repo", repository, "--tag", "multi");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("skipped signature-1"));
        await AssertServedAsync(repository, "multi", index);
        await AssertServedAsync(repository, amd64.Digest.ToString(), amd64);
        await AssertServedAsync(repository, arm64.Digest.ToString(), arm64);
    }

    [Test]
    public async Task ListWithoutItsManifests_IsRefused_WithWhatToDo()
    {
        var repository = await NewDockerRepositoryAsync();
        var amd64 = TestManifest.OciImage();
        var index = TestManifest.OciIndex(amd64);
        var folder = ImageFolders.WriteSkopeoDir(Folder.Combine(repository), index);

        var result = await Cli.RunAsync(null, "upload", "image", folder, "--repo", repository, "--tag", "multi");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain(amd64.Digest.ToString()).And.Contain("--all"));
        Assert.That(await Api.SearchUnitsAsync(repository), Is.Empty);
    }

    [Test]
    public async Task OciLayout_UploadsEveryTaggedImage_OrOnlyTheOneAskedFor()
    {
        var repository = await NewDockerRepositoryAsync();
        var first = TestManifest.OciImage();
        var second = TestManifest.DockerImage();
        var amd64 = TestManifest.OciImage();
        var index = TestManifest.OciIndex(amd64);
        var layout = ImageFolders.WriteOciLayout(Folder.Combine(repository), ("1.0", first, []), ("2.0", second, []), ("multi", index, [amd64]));

        var one = await Cli.RunAsync(null, "upload", "image", layout, "--repo", repository, "--ref", "2.0", "--tag", "stable");
        Assert.That(one.ExitCode, Is.Zero, one.ToString());
        Assert.That(one.Output, Does.Contain($"stable {second.Digest}"));
        await AssertServedAsync(repository, "stable", second);

        var all = await Cli.RunAsync(null, "upload", "image", layout, "--repo", repository);
        Assert.That(all.ExitCode, Is.Zero, all.ToString());
        await AssertServedAsync(repository, "1.0", first);
        await AssertServedAsync(repository, "2.0", second);
        await AssertServedAsync(repository, "multi", index);

        var ambiguous = await Cli.RunAsync(null, "upload", "image", layout, "--repo", repository, "--tag", "x");
        Assert.That(ambiguous.ExitCode, Is.EqualTo(1), ambiguous.ToString());
        Assert.That(ambiguous.Error, Does.Contain("--ref"));
    }

    [Test]
    public async Task DockerSaveArchive_GetsASchema2Manifest_AndItsRepoTags()
    {
        var repository = await NewDockerRepositoryAsync();
        var config = TestBlob.Config();
        TestBlob[] layers = [TestBlob.Random(50_000, MediaTypes.DockerLayerUncompressed), TestBlob.Random(70_000, MediaTypes.DockerLayerUncompressed)];
        var archive = ImageFolders.WriteDockerSave(Folder.Combine(repository + ".tar"), (config, layers, ["example.com/team/app:1.0", "app:latest"]));

        var result = await Cli.RunAsync(null, "upload", "image", archive, "--repo", repository);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var expected = new TestManifest(
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
                new ImageManifest { MediaType = MediaTypes.DockerManifest, Config = config.Descriptor, Layers = [.. layers.Select(l => l.Descriptor)] },
                DockerJsonContext.Default.ImageManifest),
            MediaTypes.DockerManifest,
            [config, .. layers]);
        await AssertServedAsync(repository, "1.0", expected);
        await AssertServedAsync(repository, "latest", expected);
    }

    [Test]
    public async Task OciArchive_Uploads_AndATaggedOneOnly()
    {
        var repository = await NewDockerRepositoryAsync();
        var first = TestManifest.OciImage();
        var second = TestManifest.OciImage();
        var archive = ImageFolders.WriteOciArchive(Folder.Combine(repository + ".tar"), dockerManifest: false, ("1.0", first, []), ("2.0", second, []));

        var result = await Cli.RunAsync(null, "upload", "image", archive, "--repo", repository, "--ref", "2.0");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        await AssertServedAsync(repository, "2.0", second);
        using var absent = await Api.Http.GetAsync($"/v2/{repository}/manifests/1.0");
        Assert.That(absent.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task DockerSaveInItsOciForm_UploadsTheImagesAsTheyAre()
    {
        var repository = await NewDockerRepositoryAsync();
        var image = TestManifest.OciImage(layers: 2);
        var archive = ImageFolders.WriteOciArchive(Folder.Combine(repository + ".tar"), dockerManifest: true, ("3.20", image, []));

        var result = await Cli.RunAsync(null, "upload", "image", archive, "--repo", repository);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("OCI layout"));
        await AssertServedAsync(repository, "3.20", image);
    }

    [Test]
    public async Task FileThatIsNoArchive_IsRefused()
    {
        var path = Folder.Combine("not-an-archive.tar");
        await File.WriteAllTextAsync(path, "plain text, no tar");
        var result = await Cli.RunAsync(null, "upload", "image", path, "--repo", "anything");
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
    }

    [Test]
    public async Task FolderOfNoKnownFormat_IsRefused()
    {
        var folder = Folder.Combine("nothing-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var result = await Cli.RunAsync(null, "upload", "image", folder, "--repo", "anything");
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("neither a skopeo dir: folder"));
    }

    [Test]
    public async Task DroppedConnectionMidSegment_IsResumed()
    {
        var repository = await NewDockerRepositoryAsync();
        var image = TestManifest.OciImage(layers: 1, layerSize: 1_000_000);
        var folder = ImageFolders.WriteSkopeoDir(Folder.Combine(repository), image);
        await using var proxy = new DroppingProxy(Api.Http.BaseAddress!, dropAfter: 400_000);
        Cli.Environment["BERTH_SERVER"] = proxy.Address.ToString();

        var result = await Cli.RunAsync(null, "upload", "image", folder, "--repo", repository, "--tag", "1.0", "--chunk-size", "262144", "--jobs", "1");

        Assert.That(proxy.Dropped, Is.True, "the proxy never cut a connection");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        await AssertServedAsync(repository, "1.0", image);
    }

    [Test]
    public async Task WhatSkopeoWrites_Uploads()
    {
        Skopeo.Require();
        var source = await NewDockerRepositoryAsync();
        // OCI documents throughout: skopeo would convert Docker ones when writing an OCI layout, changing digests.
        var amd64 = TestManifest.OciImage(layers: 2);
        var arm64 = TestManifest.OciImage(layers: 1);
        var list = TestManifest.OciIndex(amd64, arm64);
        await Api.ImportImageAsync(source, amd64);
        await Api.ImportImageAsync(source, arm64);
        await Api.ImportManifestAsync(source, list, "1.0");
        var address = $"{Api.Http.BaseAddress!.Host}:{Api.Http.BaseAddress.Port}";
        var credentials = $"{TestCredentials.AdminLogin}:{TestCredentials.AdminPassword}";
        var dir = Folder.Combine(source + "-dir");
        var layout = Folder.Combine(source + "-oci");
        await Skopeo.RunAsync("copy", "--all", "--src-tls-verify=false", "--src-creds", credentials, $"docker://{address}/{source}:1.0", $"dir:{dir}");
        await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--src-creds", credentials, $"docker://{address}/{source}@{amd64.Digest}", $"oci:{layout}:amd64");
        var dockerArchive = Folder.Combine(source + "-docker.tar");
        await Skopeo.RunAsync("copy", "--src-tls-verify=false", "--src-creds", credentials, $"docker://{address}/{source}@{arm64.Digest}", $"docker-archive:{dockerArchive}:example/app:arm");

        var target = await NewDockerRepositoryAsync();
        var fromDir = await Cli.RunAsync(null, "upload", "image", dir, "--repo", target, "--tag", "1.0");
        var fromLayout = await Cli.RunAsync(null, "upload", "image", layout, "--repo", target);

        Assert.That(fromDir.ExitCode, Is.Zero, fromDir.ToString());
        Assert.That(fromLayout.ExitCode, Is.Zero, fromLayout.ToString());
        var fromDockerArchive = await Cli.RunAsync(null, "upload", "image", dockerArchive, "--repo", target);
        Assert.That(fromDockerArchive.ExitCode, Is.Zero, fromDockerArchive.ToString());
        using (var arm = await Api.Http.GetAsync($"/v2/{target}/manifests/arm"))
        {
            // Rebuilt around the config and layers skopeo saved: the config is the original's.
            var rebuilt = Docker.Common.Manifests.ManifestParser.Parse(await arm.Content.ReadAsByteArrayAsync());
            Assert.That(rebuilt.References[0].Digest, Is.EqualTo(arm64.Blobs[0].Digest));
        }
        await AssertServedAsync(target, "1.0", list);

        // skopeo may rewrite a manifest for an OCI layout (it did here): what must round-trip is what it wrote.
        var written = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!["manifests"]![0]!["digest"]!.GetValue<string>();
        var writtenBytes = await File.ReadAllBytesAsync(Path.Combine(layout, "blobs", "sha256", written["sha256:".Length..]));
        using var served = await Api.Http.GetAsync($"/v2/{target}/manifests/amd64");
        Assert.That(await served.Content.ReadAsByteArrayAsync(), Is.EqualTo(writtenBytes));
    }

    private async Task<string> NewDockerRepositoryAsync()
    {
        var id = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(id);
        return id;
    }

    /// <summary>The registry serves the reference as exactly the image's bytes, and every blob it names.</summary>
    private async Task AssertServedAsync(string repository, string reference, TestManifest image)
    {
        using var manifest = await Api.Http.GetAsync($"/v2/{repository}/manifests/{reference}");
        Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{repository}:{reference}");
        Assert.That(await manifest.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes), $"{repository}:{reference}");
        foreach (var blob in image.Blobs)
        {
            using var response = await Api.Http.GetAsync($"/v2/{repository}/blobs/{blob.Digest}");
            Assert.That(Digest.Compute(await response.Content.ReadAsByteArrayAsync()), Is.EqualTo(blob.Digest));
        }
    }
}
