using System.Net;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;

namespace Berth.Tests.Cli;

/// <summary>The berth CLI, run as its own process against the real server process.</summary>
public sealed class CliCommandTests : CliFixture
{
    // Retention keeps the tags that moved last: the server's clock orders the imports.
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>([ServerClock.Manual]);

    [Test]
    public async Task Help_NamesEveryCommandAndTheExitCodes()
    {
        var result = await Cli.RunAsync(null, "--help");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("Exit codes: 0 done; 1 usage").And.Contain("2 the server refused").And.Contain("3 the server could not be reached"));
        foreach (var command in new[] { "login", "logout", "repo", "importer", "upload", "tag", "export", "promote", "remove", "retention", "orphans" })
        {
            Assert.That(result.Output, Does.Contain($"  {command}"), command);
        }
    }

    [TestCase("repo", "nope")]
    [TestCase("repo", "create")]
    [TestCase("upload", "blob", "file")]
    [TestCase("upload", "blob", "file", "--repo", "r", "--chunk-size", "0")]
    public async Task BadCommandLine_ExitsWithUsage(params string[] arguments)
    {
        var result = await Cli.RunAsync(null, arguments);
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Login_KeepsCredentialsInAFileOnlyItsOwnerReads_AndLaterCommandsUseThem()
    {
        Cli.Environment.Clear();

        var login = await Cli.RunAsync(TestCredentials.AdminPassword, "login", "--server", Server, "--username", "admin", "--password-stdin");

        Assert.That(login.ExitCode, Is.Zero, login.ToString());
        var file = Path.Combine(Cli.ConfigHome, "berth", "login.json");
        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        var list = await Cli.RunAsync(null, "repo", "list");
        Assert.That(list.ExitCode, Is.Zero, list.ToString());
        Assert.That(list.Output, Does.StartWith("ID"));

        var logout = await Cli.RunAsync(null, "logout");
        Assert.That(logout.ExitCode, Is.Zero, logout.ToString());
        Assert.That(File.Exists(file), Is.False);
        var anonymous = await Cli.RunAsync(null, "--server", Server, "repo", "list");
        Assert.That(anonymous.ExitCode, Is.EqualTo(2), anonymous.ToString());
        Assert.That(anonymous.Error, Does.Contain("401").And.Contain("berth login"));
    }

    [Test]
    public async Task LoginWithAWrongPassword_IsRefused_AndKeepsNothing()
    {
        Cli.Environment.Remove("BERTH_PASSWORD");
        var login = await Cli.RunAsync("not-the-password", "login", "--password-stdin");
        Assert.That(login.ExitCode, Is.EqualTo(2), login.ToString());
        Assert.That(File.Exists(Path.Combine(Cli.ConfigHome, "berth", "login.json")), Is.False);
    }

    [Test]
    public async Task UnreachableServer_ExitsWithNetwork_AndSaysWhatToCheck()
    {
        var result = await Cli.RunAsync(null, "--server", "http://127.0.0.1:9", "repo", "list");
        Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
        Assert.That(result.Error, Does.Contain("cannot reach http://127.0.0.1:9/").And.Contain("--server"));
    }

    [Test]
    public async Task Repositories_CreateWithDockerImporters_ListShowDelete()
    {
        var id = NewRepositoryId();

        var create = await Cli.RunAsync(null, "repo", "create", id, "--docker", "--registry-name", "cli/" + id);

        Assert.That(create.ExitCode, Is.Zero, create.ToString());
        var importers = await Cli.RunAsync(null, "importer", "list", "--repo", id);
        Assert.That(importers.Output, Does.Contain("docker_blob_importer").And.Contain("docker_manifest_importer"));
        var list = await Cli.RunAsync(null, "repo", "list");
        Assert.That(list.Output, Does.Contain(id).And.Contain("cli/" + id));
        var show = await Cli.RunAsync(null, "repo", "show", id);
        Assert.That(show.Output, Does.Contain($"\"registry_name\": \"cli/{id}\""));

        var again = await Cli.RunAsync(null, "repo", "create", id);
        Assert.That(again.ExitCode, Is.EqualTo(2), again.ToString());
        Assert.That(again.Error, Does.Contain("409").And.Contain("already exists"));

        var delete = await Cli.RunAsync(null, "repo", "delete", id);
        Assert.That(delete.ExitCode, Is.Zero, delete.ToString());
        var gone = await Cli.RunAsync(null, "repo", "show", id);
        Assert.That(gone.ExitCode, Is.EqualTo(2), gone.ToString());
    }

    [Test]
    public async Task Importers_AddListRemove()
    {
        var id = NewRepositoryId();
        await Api.CreateRepositoryAsync(id);

        var add = await Cli.RunAsync(null, "importer", "add", "--repo", id, "docker_blob_importer", "--config", "{}");
        Assert.That(add.ExitCode, Is.Zero, add.ToString());
        Assert.That((await Cli.RunAsync(null, "importer", "list", "-r", id)).Output, Does.Contain("docker_blob_importer"));
        var remove = await Cli.RunAsync(null, "importer", "remove", "--repo", id, "docker_blob_importer");
        Assert.That(remove.ExitCode, Is.Zero, remove.ToString());
        Assert.That((await Cli.RunAsync(null, "importer", "list", "-r", id)).Output, Does.Not.Contain("docker_blob_importer"));

        var badConfig = await Cli.RunAsync(null, "importer", "add", "--repo", id, "docker_blob_importer", "--config", "[1");
        Assert.That(badConfig.ExitCode, Is.EqualTo(1), badConfig.ToString());
    }

    [Test]
    public async Task UploadBlobInSegments_PrintsItsDigest_AndTheRegistryServesIt()
    {
        var id = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(id);
        var blob = TestBlob.Random(300_000);
        var path = Folder.Combine(id + ".bin");
        await File.WriteAllBytesAsync(path, blob.Bytes);

        var result = await Cli.RunAsync(null, "upload", "blob", path, "--repo", id, "--chunk-size", "65536");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.EndWith(blob.Digest + "\n"));
        using var pulled = await Api.Http.GetAsync($"/v2/{id}/blobs/{blob.Digest}");
        Assert.That(pulled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes));
    }

    [Test]
    public async Task UploadManifestWithATag_ThenTagAgain()
    {
        var id = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(id);
        var image = TestManifest.OciImage();
        foreach (var blob in image.Blobs)
        {
            var blobPath = Folder.Combine($"{id}-{blob.Digest.Encoded}");
            await File.WriteAllBytesAsync(blobPath, blob.Bytes);
            Assert.That((await Cli.RunAsync(null, "-q", "upload", "blob", blobPath, "--repo", id)).Output, Is.EqualTo(blob.Digest + "\n"));
        }

        var manifestPath = Folder.Combine(id + "-manifest.json");
        await File.WriteAllBytesAsync(manifestPath, image.Bytes);

        var upload = await Cli.RunAsync(null, "upload", "manifest", manifestPath, "--repo", id, "--tag", "1.0");
        var tag = await Cli.RunAsync(null, "tag", "set", "latest", image.Digest.ToString(), "--repo", id);
        var other = TestManifest.OciImage();
        await Api.ImportImageAsync(id, other, "latest");
        var history = await Cli.RunAsync(null, "tag", "history", "latest", "--repo", id);
        var rollback = await Cli.RunAsync(null, "tag", "rollback", "latest", "--repo", id);
        Assert.That(history.ExitCode, Is.Zero, history.ToString());
        Assert.That(history.Output.Split('\n')[1], Does.Contain("admin").And.Contain(image.Digest.ToString()).And.Contain(other.Digest.ToString()));
        Assert.That(rollback.Output.Trim(), Is.EqualTo($"latest {image.Digest}"), rollback.ToString());

        Assert.That(upload.ExitCode, Is.Zero, upload.ToString());
        Assert.That(upload.Output.Trim(), Is.EqualTo(image.Digest.ToString()));
        Assert.That(tag.ExitCode, Is.Zero, tag.ToString());
        using var tags = await Api.Http.GetAsync($"/v2/{id}/tags/list");
        Assert.That(await tags.Content.ReadAsStringAsync(), Does.Contain("\"1.0\"").And.Contain("\"latest\""));
        using var pulled = await Api.Http.GetAsync($"/v2/{id}/manifests/latest");
        Assert.That(Digest.Compute(await pulled.Content.ReadAsByteArrayAsync()), Is.EqualTo(image.Digest));
    }

    [Test]
    public async Task Promote_SharesATaggedImageWithAnotherRepository()
    {
        var (builds, staging) = (NewRepositoryId(), NewRepositoryId());
        await Api.CreateDockerRepositoryAsync(builds);
        await Api.CreateDockerRepositoryAsync(staging);
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(builds, image, "1.4.2");

        var result = await Cli.RunAsync(null, "promote", "--from", builds, "--to", staging, "--tag", "1.4.2");
        var missing = await Cli.RunAsync(null, "promote", "--from", builds, "--to", staging, "--tag", "9.9.9");
        var nothing = await Cli.RunAsync(null, "promote", "--from", builds, "--to", staging);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("promoted tag 1.4.2").And.Contain("no content was copied"));
        using var served = await Api.Http.GetAsync($"/v2/{staging}/manifests/1.4.2");
        Assert.That(await served.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
        Assert.That(missing.ExitCode, Is.EqualTo(2), missing.ToString());
        Assert.That(nothing.ExitCode, Is.EqualTo(1), nothing.ToString());

        var needed = await Cli.RunAsync(null, "remove", "--repo", staging, "--digest", image.Blobs[1].Digest.ToString());
        Assert.That(needed.ExitCode, Is.EqualTo(2), needed.ToString());
        Assert.That(needed.Error, Does.Contain(image.Digest.ToString()));
        var removed = await Cli.RunAsync(null, "remove", "--repo", staging, "--digest", image.Digest.ToString());
        Assert.That(removed.ExitCode, Is.Zero, removed.ToString());
        Assert.That(removed.Output, Does.Contain("removed docker_tag 1.4.2").And.Contain("removed docker_manifest"));
    }

    [Test]
    public async Task Retention_SetShowApply_ThenOrphansListAndCollect()
    {
        var repo = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repo);
        var images = new List<TestManifest>();
        for (var i = 1; i <= 3; i++)
        {
            images.Add(TestManifest.OciImage());
            await Api.ImportImageAsync(repo, images[^1], $"nightly-{i}");
            await Host.AdvanceClockAsync(TimeSpan.FromSeconds(1));
        }

        var set = await Cli.RunAsync(null, "retention", "set", "--repo", repo, "--keep", "nightly-*=1", "--untagged-older-than", "7d");
        var show = await Cli.RunAsync(null, "retention", "show", "--repo", repo);
        var dryRun = await Cli.RunAsync(null, "retention", "apply", "--repo", repo, "--dry-run");
        var apply = await Cli.RunAsync(null, "retention", "apply", "--repo", repo);
        var badDuration = await Cli.RunAsync(null, "retention", "set", "--repo", repo, "--untagged-older-than", "soon");

        Assert.That(set.ExitCode, Is.Zero, set.ToString());
        Assert.That(show.Output, Does.Contain("keep the 1 newest tag matching nightly-*").And.Contain("older than 604800 s"));
        Assert.That(dryRun.Output, Does.Contain("would remove docker_tag nightly-1").And.Contain("would remove docker_tag nightly-2").And.Not.Contain("nightly-3"));
        Assert.That(apply.Output, Does.Contain("removed docker_tag nightly-1").And.Contain($"removed docker_manifest {images[0].Digest}"));
        Assert.That(badDuration.ExitCode, Is.EqualTo(1), badDuration.ToString());

        var orphans = await Cli.RunAsync(null, "orphans", "list", "--type", "docker_manifest");
        var collect = await Cli.RunAsync(null, "orphans", "collect");

        Assert.That(orphans.ExitCode, Is.Zero, orphans.ToString());
        Assert.That(orphans.Output, Does.Contain(images[0].Digest.ToString()).And.Contain(images[1].Digest.ToString()));
        Assert.That(collect.ExitCode, Is.Zero, collect.ToString());
        Assert.That(collect.Output, Does.Contain("left for later:").And.Contain("orphaned less than 3600 s ago"), "the default grace period keeps what was just removed");
    }

    [Test]
    public async Task UploadManifestThatIsNotOne_IsRefusedLocally()
    {
        var path = Folder.Combine("not-a-manifest.json");
        await File.WriteAllTextAsync(path, """{"schemaVersion": 2}""");
        var result = await Cli.RunAsync(null, "upload", "manifest", path, "--repo", "anything");
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("is not a manifest"));
    }

    [Test]
    public async Task UploadOfAMissingFile_ExitsWithUsage()
    {
        var result = await Cli.RunAsync(null, "upload", "blob", Folder.Combine("absent.bin"), "--repo", "anything");
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.Contain("no such file"));
    }

    [Test]
    public async Task TagOfAManifestTheRepositoryLacks_IsRefusedByTheServer()
    {
        var id = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(id);
        var result = await Cli.RunAsync(null, "tag", "set", "latest", TestManifest.OciImage().Digest.ToString(), "--repo", id);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
    }
}
