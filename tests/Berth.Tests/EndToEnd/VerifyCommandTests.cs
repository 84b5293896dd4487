using System.Diagnostics;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.EndToEnd;

/// <summary><c>Berth.Server verify</c>: the offline verification an operator runs with the server stopped.</summary>
[NonParallelizable]
public sealed class VerifyCommandTests : FolderPerTest
{
    [Test]
    public async Task DamagedBlob_IsNamed_AndTheExitCodeSaysSo()
    {
        var dataDir = Folder.Combine("data");
        var image = TestManifest.OciImage(layers: 2);
        await using (var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir))
        {
            using var http = server.CreateClient();
            var api = new ContentApiClient(http);
            await api.CreateDockerRepositoryAsync("app");
            await api.ImportImageAsync("app", image, "v1");
            await server.StopAsync();
        }

        var (cleanExit, cleanOutput) = await VerifyAsync(dataDir);
        Assert.That(cleanExit, Is.Zero, cleanOutput);
        Assert.That(cleanOutput, Does.Contain("no problems").And.Contain("1 tags"));

        var layer = image.Blobs[1].Digest;
        var path = Path.Combine(dataDir, "content", "sha256", layer.Encoded[..2], layer.Encoded);
        await File.AppendAllTextAsync(path, "bit rot");
        var (exit, output) = await VerifyAsync(dataDir);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit, Is.EqualTo(1), output);
            Assert.That(output, Does.Contain($"mismatch: content/sha256/{layer.Encoded[..2]}/{layer.Encoded}"));
            Assert.That(output, Does.Contain("1 problems"));
        }
    }

    [Test]
    public async Task BesideARunningServer_Refuses()
    {
        var dataDir = Folder.Combine("data");
        await using var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir);

        var (exit, output) = await VerifyAsync(dataDir);

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("in use by another Berth server"));
    }

    private async Task<(int Exit, string Output)> VerifyAsync(string dataDir)
    {
        using var process = Process.Start(ServerProcess.StartInfo(Folder.Path, "verify", "--data-dir", dataDir))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
