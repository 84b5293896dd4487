using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.EndToEnd;

/// <summary>
/// What the server stores (password and token hashes, content, uploads) is its user's only, whatever umask it
/// was started with (issue 18, finding 8j).
/// </summary>
[NonParallelizable]
public sealed class DataPermissionTests : FolderPerTest
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task AfterAPush_NothingInTheDataFolder_IsOpenToGroupOrOthers()
    {
        // A folder someone made beforehand, open to all, as the default umask leaves it.
        var dataDir = Folder.Combine("data");
        Directory.CreateDirectory(dataDir);
        File.SetUnixFileMode(dataDir, (UnixFileMode)0x1ED); // 0755

        var start = ServerProcess.StartInfo(Folder.Path, "--urls", "http://127.0.0.1:0", "--data-dir", dataDir);
        await using (var server = await ServerProcess.StartAsync(ServerProcess.Through(start, "umask 022")))
        {
            using var http = server.CreateClient();
            var api = new ContentApiClient(http);
            await api.CreateDockerRepositoryAsync("app");
            await new RegistryClient(http).PushImageAsync("app", TestManifest.OciImage(layers: 2), "1.0");
            await api.UploadAsync(new byte[1000]);
            using var token = await api.PostJsonAsync("/users/admin/tokens/", """{"name": "ci"}""");
            await server.StopAsync();
        }

        var open = Directory.EnumerateFileSystemEntries(dataDir, "*", SearchOption.AllDirectories)
            .Prepend(dataDir)
            .Select(path => (Path: Path.GetRelativePath(Folder.Path, path), Mode: File.GetUnixFileMode(path)))
            .Where(entry => (entry.Mode & GroupOrOther) != 0)
            .Select(entry => $"{entry.Path} {Convert.ToString((int)entry.Mode, 8)}")
            .ToList();
        Assert.That(Directory.EnumerateFiles(Path.Combine(dataDir, "content"), "*", SearchOption.AllDirectories), Is.Not.Empty);
        Assert.That(open, Is.Empty, "open to group or others");
    }
}
