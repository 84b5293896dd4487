using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Cli;

/// <summary>
/// Uploads learn what the server would refuse before they send a byte, and leave no upload behind when the server
/// refuses the import after all.
/// </summary>
public sealed class CliUploadCheckTests : CliFixture
{
    [Test]
    public async Task UploadToARepositoryThatDoesNotExist_SendsNothing()
    {
        var before = await UploadIdsAsync();
        var path = await BlobFileAsync(TestBlob.Random(200_000));

        var result = await Cli.RunAsync(null, "upload", "blob", path, "--repo", "team/nope");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("repository team/nope does not exist"));
        Assert.That(await UploadIdsAsync(), Is.EquivalentTo(before), "no upload was created");
    }

    [Test]
    public async Task UploadToARepositoryWithoutTheImporter_SendsNothing_AndSaysWhichToAdd()
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository, "docker_manifest_importer");
        var before = await UploadIdsAsync();
        var path = await BlobFileAsync(TestBlob.Random(200_000));

        var result = await Cli.RunAsync(null, "upload", "blob", path, "--repo", repository);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("no importer for docker_blob").And.Contain($"berth importer add --repo {repository} docker_blob_importer"));
        Assert.That(await UploadIdsAsync(), Is.EquivalentTo(before), "no upload was created");
    }

    [Test]
    public async Task ImageUploadToARepositoryWithoutTheImporters_SendsNothing()
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository, "docker_blob_importer");
        var folder = ImageFolders.WriteSkopeoDir(Folder.Combine(repository), TestManifest.OciImage());
        var before = await UploadIdsAsync();

        var result = await Cli.RunAsync(null, "upload", "image", folder, "--repo", repository, "--tag", "1.0");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("no importer for docker_manifest or docker_tag").And.Contain("docker_manifest_importer"));
        Assert.That(await Api.SearchUnitsAsync(repository), Is.Empty);
        Assert.That(await UploadIdsAsync(), Is.EquivalentTo(before), "no upload was created");
    }

    [Test]
    public async Task RefusedImport_LeavesNoUploadBehind()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var image = TestManifest.OciImage();
        var path = Folder.Combine(repository + "-manifest.json");
        await File.WriteAllBytesAsync(path, image.Bytes);
        var before = await UploadIdsAsync();

        // Its blobs are not in the repository: the server refuses the import once the manifest has arrived.
        var result = await Cli.RunAsync(null, "upload", "manifest", path, "--repo", repository);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain(image.Blobs[0].Digest.ToString()));
        Assert.That(await UploadIdsAsync(), Is.EquivalentTo(before), "the refused upload was deleted");
    }

    private async Task<string> BlobFileAsync(TestBlob blob)
    {
        var path = Folder.Combine(blob.Digest.Encoded);
        await File.WriteAllBytesAsync(path, blob.Bytes);
        return path;
    }

    private async Task<List<string>> UploadIdsAsync() =>
        [.. (await Api.GetJsonAsync("/content/uploads/"))["upload_ids"]!.AsArray().Select(u => u!.GetValue<string>())];
}
