using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Container;

/// <summary>
/// Berth's own image, published by the .NET SDK's container tooling (a real .NET registry client) onto a base it
/// pulls from a Berth and into that Berth: the image's config is what the README promises, its layer holds the
/// importer plugins, and the server published for a runtime starts with them loaded. The publish is for a runtime
/// (<c>-r linux-x64</c>), as the image's self-contained publish is; such a publish once laid out no plugins at all.
/// container/prove-image-offline.sh goes round the same loop by hand with a real Debian base and runs the image.
/// </summary>
public sealed class ContainerPublishTests
{
    [Test]
    [CancelAfter(420_000)]
    public async Task PublishContainer_PullsItsBaseFromBerth_AndPushesAnImageThatRunsTheServerWithItsPlugins(CancellationToken cancellationToken)
    {
        using var data = new TempFolder();
        using var docker = new TempFolder();
        using var output = new TempFolder();
        using var runData = new TempFolder();
        await using var registry = await ServerProcess.StartAsync(data.Path, "--data-dir", data.Path);
        using var http = registry.CreateClient();
        var client = new RegistryClient(http);
        // The SDK only reads the base's manifest and config; any image will do as one.
        await client.PushImageAsync("base/minimal", TestManifest.DockerImage(layers: 1), "1");

        var host = registry.BaseAddress.Authority;
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestCredentials.AdminLogin}:{TestCredentials.AdminPassword}"));
        await File.WriteAllTextAsync(Path.Combine(docker.Path, "config.json"), new JsonObject { ["auths"] = new JsonObject { [host] = new JsonObject { ["auth"] = auth } } }.ToJsonString(), cancellationToken);
        var publish = await ToolRun.RunAsync(
            SourceTree.Root,
            [
                "dotnet", "publish", "server", "-c", BuildConfiguration.Name, "-r", "linux-x64", "--self-contained", "false",
                "-t:PublishContainer", $"-p:ContainerBaseImage={host}/base/minimal:1", $"-p:ContainerRegistry={host}",
                "-p:ContainerRepository=berth/server", "-p:ContainerImageTags=test", "-o", output.Path, "-nodeReuse:false", "--nologo",
            ],
            cancellationToken,
            new Dictionary<string, string> { ["DOCKER_CONFIG"] = docker.Path, ["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = host });
        Assert.That(publish.ExitCode, Is.Zero, publish.ToString());

        var manifest = await GetJsonAsync(http, "/v2/berth/server/manifests/test", cancellationToken);
        var layers = manifest["layers"]!.AsArray();
        var config = (await GetJsonAsync(http, $"/v2/berth/server/blobs/{manifest["config"]!["digest"]}", cancellationToken))["config"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(layers, Has.Count.EqualTo(2), "the base's layer and the server's");
            // Framework-dependent: the base's dotnet runs the server (self-contained, /app/Berth.Server does).
            Assert.That(config["Entrypoint"]!.AsArray().Select(e => (string?)e), Is.EqualTo(new[] { "dotnet", "/app/Berth.Server.dll" }));
            Assert.That((string?)config["User"], Is.EqualTo("1654"), "not root");
            Assert.That(config["ExposedPorts"]!.AsObject().Select(p => p.Key), Does.Contain("24817/tcp"));
            Assert.That(config["Env"]!.AsArray().Select(e => (string?)e), Does.Contain("Berth__DataDir=/var/lib/berth").And.Contain("URLS=http://+:24817"));
        }

        var files = await LayerFilesAsync(http, (string)layers[^1]!["digest"]!, cancellationToken);
        Assert.That(files, Does.Contain("app/plugins/Docker.BlobImporter/Docker.BlobImporter.dll")
            .And.Contain("app/plugins/Docker.ManifestImporter/Docker.ManifestImporter.dll")
            .And.Contain("app/plugins.conf.d/docker_blob_importer.json")
            .And.Contain("app/Berth.Server"));

        // What went into the layer is what the publish laid out: that server starts with both importers.
        var start = ServerProcess.StartInfo(runData.Path, "--urls", "http://127.0.0.1:0", "--data-dir", runData.Path);
        start.FileName = Path.Combine(output.Path, "Berth.Server");
        start.ArgumentList.RemoveAt(0);
        await using var published = await ServerProcess.StartAsync(start);
        using var probe = published.CreateAnonymousClient();
        using var ready = await probe.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken);
        var body = await ready.Content.ReadAsStringAsync(cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(body, Does.Contain("3 importer(s) loaded"));
        }
    }

    private static async Task<JsonNode> GetJsonAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{path}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<List<string>> LayerFilesAsync(HttpClient http, string digest, CancellationToken cancellationToken)
    {
        await using var layer = await http.GetStreamAsync(new Uri($"/v2/berth/server/blobs/{digest}", UriKind.Relative), cancellationToken);
        await using var gzip = new GZipStream(layer, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        var files = new List<string>();
        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            files.Add(entry.Name.TrimStart('.', '/'));
        }

        return files;
    }
}
