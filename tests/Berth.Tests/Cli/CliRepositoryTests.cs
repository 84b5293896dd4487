using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Cli;

/// <summary>
/// Repositories named by id or registry name, what <c>berth repo tags|content</c> list, and JSON as people read it,
/// against the real server process.
/// </summary>
public sealed class CliRepositoryTests : CliFixture
{
    [Test]
    public async Task RepoOption_TakesARegistryName()
    {
        var (id, name) = await NamedRepositoryAsync();
        var image = TestManifest.OciImage();
        var blobs = new List<string>();
        foreach (var blob in image.Blobs)
        {
            var path = Folder.Combine($"{id}-{blob.Digest.Encoded}");
            await File.WriteAllBytesAsync(path, blob.Bytes);
            blobs.Add(path);
        }

        var manifest = Folder.Combine(id + "-manifest.json");
        await File.WriteAllBytesAsync(manifest, image.Bytes);

        foreach (var path in blobs)
        {
            var upload = await Cli.RunAsync(null, "upload", "blob", path, "--repo", name);
            Assert.That(upload.ExitCode, Is.Zero, upload.ToString());
        }

        var uploadManifest = await Cli.RunAsync(null, "upload", "manifest", manifest, "--repo", name, "--tag", "1.0");
        var tag = await Cli.RunAsync(null, "tag", "set", "latest", image.Digest.ToString(), "--repo", name);
        var show = await Cli.RunAsync(null, "repo", "show", name);

        Assert.That(uploadManifest.ExitCode, Is.Zero, uploadManifest.ToString());
        Assert.That(tag.ExitCode, Is.Zero, tag.ToString());
        Assert.That(tag.Output, Does.Contain($"in {name}"));
        Assert.That(show.Output, Does.Contain($"\"id\": \"{id}\""), show.ToString());
        using var served = await Api.Http.GetAsync($"/v2/{name}/manifests/latest");
        Assert.That(await served.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes));
    }

    [Test]
    public async Task UnknownRepository_IsNamedAsTyped()
    {
        var result = await Cli.RunAsync(null, "repo", "tags", "team/nowhere");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error, Does.Contain("repository team/nowhere does not exist").And.Not.Contain("%2F"));
    }

    [Test]
    public async Task RepoTags_ListsEveryTag_WithItsManifest()
    {
        var (id, name) = await NamedRepositoryAsync();
        var first = TestManifest.OciImage();
        var second = TestManifest.OciImage();
        await Api.ImportImageAsync(id, first, "1.0");
        await Api.ImportImageAsync(id, second, "2.0");

        var table = await Cli.RunAsync(null, "repo", "tags", name);
        var json = await Cli.RunAsync(null, "repo", "tags", id, "--json");
        var limited = await Cli.RunAsync(null, "repo", "tags", id, "--limit", "1");

        Assert.That(table.ExitCode, Is.Zero, table.ToString());
        var rows = table.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(rows, Has.Length.EqualTo(3), table.Output);
        Assert.That(rows[0], Does.StartWith("TAG"));
        Assert.That(rows[1], Does.StartWith("1.0").And.Contain(first.Digest.ToString()));
        Assert.That(rows[2], Does.StartWith("2.0").And.Contain(second.Digest.ToString()));
        var units = JsonNode.Parse(json.Output)!.AsArray();
        Assert.That(units.Select(u => u!["unit_key"]!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "1.0", "2.0" }));
        Assert.That(limited.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2), limited.Output);
    }

    [Test]
    public async Task RepoContent_ListsEveryUnit_OrThoseOfATypeAsked()
    {
        var id = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(id);
        var image = TestManifest.OciImage(layers: 2);
        await Api.ImportImageAsync(id, image, "1.0");

        var all = await Cli.RunAsync(null, "repo", "content", id);
        var manifests = await Cli.RunAsync(null, "repo", "content", id, "--type", "docker_manifest");

        Assert.That(all.ExitCode, Is.Zero, all.ToString());
        Assert.That(all.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1 + image.Blobs.Count + 2), all.Output);
        foreach (var blob in image.Blobs)
        {
            Assert.That(all.Output, Does.Contain("docker_blob").And.Contain(blob.Digest.ToString()));
        }

        Assert.That(all.Output, Does.Contain($"-> {image.Digest}"), "a tag shows its manifest");
        var rows = manifests.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(rows, Has.Length.EqualTo(2), manifests.Output);
        Assert.That(rows[1], Does.StartWith("docker_manifest").And.Contain(image.Digest.ToString()).And.Contain("application/vnd.oci.image.manifest.v1+json"));
    }

    [Test]
    public async Task JsonOutput_LeavesPlusSignsReadable()
    {
        var id = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(id);
        await Api.ImportImageAsync(id, TestManifest.OciImage(), "1.0");

        var show = await Cli.RunAsync(null, "repo", "show", id);
        var content = await Cli.RunAsync(null, "repo", "content", id, "--json", "--type", "docker_manifest");

        Assert.That(show.ExitCode, Is.Zero, show.ToString());
        Assert.That(show.Output, Does.Contain("+00:00").And.Not.Contain("\\u002B"));
        Assert.That(content.ExitCode, Is.Zero, content.ToString());
        Assert.That(content.Output, Does.Contain("manifest.v1+json").And.Not.Contain("\\u002B"));
    }

    /// <summary>A repository with both docker importers whose registry name has two components.</summary>
    private async Task<(string Id, string Name)> NamedRepositoryAsync()
    {
        var id = NewRepositoryId();
        var name = "team/" + id;
        using (var response = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = id, ["registry_name"] = name }))
        {
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        }

        foreach (var importer in new[] { "docker_blob_importer", "docker_manifest_importer" })
        {
            using var response = await Api.PostJsonAsync($"/repositories/{id}/importers/", new JsonObject { ["importer_type_id"] = importer });
            await ContentApiClient.ReadAsync(response, HttpStatusCode.Created);
        }

        return (id, name);
    }
}
