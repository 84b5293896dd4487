using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Cli;

/// <summary><c>berth export image</c>: round trips to skopeo dir: folders and OCI layouts, byte for byte.</summary>
public sealed class CliExportTests : CliFixture
{
    [Test]
    public async Task SkopeoDir_RoundTripsByteIdentical()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var amd64 = TestManifest.DockerImage(layers: 2, layerSize: 100_000);
        var arm64 = TestManifest.DockerImage(layers: 1, architecture: "arm64");
        var list = TestManifest.DockerList(amd64, arm64);
        var source = ImageFolders.WriteSkopeoDir(Folder.Combine(repository + "-in"), list, amd64, arm64);
        Assert.That((await Cli.RunAsync(null, "upload", "image", source, "--repo", repository, "--tag", "1.0")).ExitCode, Is.Zero);
        var exported = Folder.Combine(repository + "-out");

        var result = await Cli.RunAsync(null, "export", "image", "--repo", repository, "--tag", "1.0", "--to", "dir:" + exported);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output.Trim(), Does.EndWith(list.Digest.ToString()));
        AssertSameFiles(source, exported);
    }

    [Test]
    public async Task OciLayout_HoldsEachExportedTag_AndUploadsBackIdentical()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var first = TestManifest.OciImage();
        var second = TestManifest.OciImage();
        await Api.ImportImageAsync(repository, first, "1.0");
        await Api.ImportImageAsync(repository, second, "2.0");
        var layout = Folder.Combine(repository + "-oci");

        foreach (var tag in new[] { "1.0", "2.0", "1.0" })
        {
            var result = await Cli.RunAsync(null, "export", "image", "--repo", repository, "--tag", tag, "--to", "oci:" + layout);
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
        }

        var index = await File.ReadAllTextAsync(Path.Combine(layout, "index.json"));
        Assert.That(index, Does.Contain("\"1.0\"").And.Contain("\"2.0\""));
        Assert.That(index.Split("org.opencontainers.image.ref.name").Length - 1, Is.EqualTo(2), index);

        var copy = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(copy);
        var upload = await Cli.RunAsync(null, "upload", "image", layout, "--repo", copy);
        Assert.That(upload.ExitCode, Is.Zero, upload.ToString());
        foreach (var (tag, image) in new[] { ("1.0", first), ("2.0", second) })
        {
            using var served = await Api.Http.GetAsync($"/v2/{copy}/manifests/{tag}");
            Assert.That(await served.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
        }
    }

    [Test]
    public async Task SkopeoDirWrittenBefore_HoldsExactlyTheNewImage()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var first = TestManifest.DockerImage(layers: 2);
        var second = TestManifest.DockerImage(layers: 1);
        await Api.ImportImageAsync(repository, first, "1.0");
        await Api.ImportImageAsync(repository, second, "2.0");
        var exported = Folder.Combine(repository + "-out");
        Assert.That((await Cli.RunAsync(null, "export", "image", "--repo", repository, "--tag", "1.0", "--to", "dir:" + exported)).ExitCode, Is.Zero);

        var again = await Cli.RunAsync(null, "export", "image", "--repo", repository, "--tag", "2.0", "--to", "dir:" + exported);
        var unknown = await Cli.RunAsync(null, "export", "image", "--repo", repository, "--tag", "never", "--to", "dir:" + exported);

        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        AssertSameFiles(ImageFolders.WriteSkopeoDir(Folder.Combine(repository + "-expected"), second), exported);
        Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.ToString());
        AssertSameFiles(ImageFolders.WriteSkopeoDir(Folder.Combine(repository + "-expected-still"), second), exported);
    }

    [TestCase("dir:")]
    [TestCase("oci:")]
    public async Task FolderOfOtherFiles_IsRefused_AndLeftAsItWas(string kind)
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        await Api.ImportImageAsync(repository, TestManifest.OciImage(), "1.0");
        var folder = Folder.Combine(repository + "-mine");
        Directory.CreateDirectory(Path.Combine(folder, "notes"));
        await File.WriteAllTextAsync(Path.Combine(folder, "thesis.txt"), "years of work");

        var result = await Cli.RunAsync(null, "export", "image", "--repo", repository, "--tag", "1.0", "--to", kind + folder);

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("not empty").And.Contain("nothing was written"));
        Assert.That(Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName), Is.EquivalentTo(new[] { "notes", "thesis.txt" }));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(folder, "thesis.txt")), Is.EqualTo("years of work"));
    }

    [Test]
    public async Task OciIndex_KeepsMediaTypesReadable()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        await Api.ImportImageAsync(repository, TestManifest.OciImage(), "1.0");
        var layout = Folder.Combine(repository + "-oci");

        var result = await Cli.RunAsync(null, "export", "image", "--repo", repository, "--tag", "1.0", "--to", "oci:" + layout);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var index = await File.ReadAllTextAsync(Path.Combine(layout, "index.json"));
        Assert.That(index, Does.Contain("application/vnd.oci.image.manifest.v1+json").And.Not.Contain("\\u002B"));
    }

    [Test]
    public async Task UnknownTag_IsRefusedByTheServer()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var result = await Cli.RunAsync(null, "export", "image", "--repo", repository, "--tag", "never", "--to", "dir:" + Folder.Combine(repository));
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("MANIFEST_UNKNOWN").Or.Contain("not"));
    }

    [Test]
    public async Task UnknownTargetKind_IsAUsageError()
    {
        var result = await Cli.RunAsync(null, "export", "image", "--repo", "r", "--tag", "t", "--to", "docker-archive:x.tar");
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("dir:PATH").And.Contain("oci:PATH"));
    }

    [Test]
    public async Task ExportedDir_IsWhatSkopeoCopies()
    {
        Skopeo.Require();
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        // Real gzip-compressed tar layers: skopeo compresses layers that are not, changing their digests.
        var image = ImageGenerator.Build(layers: 2);
        await Api.ImportImageAsync(repository, image, "1.0");
        var exported = Folder.Combine(repository + "-out");
        Assert.That((await Cli.RunAsync(null, "export", "image", "--repo", repository, "--tag", "1.0", "--to", "dir:" + exported)).ExitCode, Is.Zero);

        var address = $"{Api.Http.BaseAddress!.Host}:{Api.Http.BaseAddress.Port}";
        await Skopeo.RunAsync(
            "copy", "--dest-tls-verify=false", "--dest-creds", $"{TestCredentials.AdminLogin}:{TestCredentials.AdminPassword}",
            $"dir:{exported}", $"docker://{address}/skopeo/{repository}:copied");

        using var served = await Api.Http.GetAsync($"/v2/skopeo/{repository}/manifests/copied");
        Assert.That(served.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await served.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
    }

    private static void AssertSameFiles(string expected, string actual)
    {
        static string[] Names(string folder) => [.. Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.That(Names(actual), Is.EqualTo(Names(expected)));
        foreach (var name in Names(expected))
        {
            Assert.That(File.ReadAllBytes(Path.Combine(actual, name)), Is.EqualTo(File.ReadAllBytes(Path.Combine(expected, name))), name);
        }
    }
}
