using System.Net.Sockets;
using System.Text;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Registry;

/// <summary>
/// A manifest push holds nothing in memory while its body arrives (issue 18, finding 5): clients that send most of
/// a large manifest and then wait hold files, not the server's memory, and whatever memory the server spends on
/// documents stays within <c>Berth:Imports:MemoryBudgetBytes</c>.
/// </summary>
[TestFixture]
[NonParallelizable]
[Category("EndToEnd")]
public sealed class ManifestPushMemoryTests : FolderPerTest
{
    private const int Clients = 8;
    private const int DocumentBytes = 16 * 1024 * 1024;
    private const int SentBytes = DocumentBytes - (DocumentBytes / 16);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task PushesWaitingToFinishTheirBodies_HoldNoMemoryForThem_AndLeaveNothingWhenTheyGo()
    {
        var data = Folder.Combine("data");
        await using var server = await ServerProcess.StartAsync(
            Folder.Path,
            "--data-dir", data,
            $"--Berth:Imports:MaxDocumentBytes={DocumentBytes}",
            $"--Berth:Imports:MemoryBudgetBytes={DocumentBytes}");
        using var http = server.CreateClient();
        await new RegistryClient(http).PushImageAsync("warm/up", TestManifest.DockerImage(), "v1");
        var before = ResidentBytes(server);

        var sockets = new List<Socket>();
        try
        {
            var head = Encoding.ASCII.GetBytes(
                $"PUT /v2/warm/up/manifests/big HTTP/1.1\r\nHost: x\r\nAuthorization: {TestCredentials.Basic(TestCredentials.AdminLogin, TestCredentials.AdminPassword)}\r\n" +
                $"Content-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: {DocumentBytes}\r\n\r\n");
            var body = Encoding.ASCII.GetBytes("{\"schemaVersion\":2,\"annotations\":{\"a\":\"" + new string('x', SentBytes) + "\"}}")[..SentBytes];
            for (var i = 0; i < Clients; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
                await socket.SendAsync(head);
                await socket.SendAsync(body);
            }

            // The server has read what was sent once its temporary files hold it (bounded: without spooling they
            // never appear, and the memory check below is what fails).
            var temporary = Path.Combine(data, "tmp");
            await WaitForAsync(() => Directory.EnumerateFiles(temporary).Sum(f => new FileInfo(f).Length) >= (long)Clients * SentBytes);
            var grown = ResidentBytes(server) - before;
            TestContext.Out.WriteLine($"resident memory grew by {grown / (1024 * 1024)} MiB with {Clients} pushes of {SentBytes / (1024 * 1024)} MiB waiting to finish");
            Assert.That(grown, Is.LessThan(2L * DocumentBytes), "bodies still arriving are held in memory");
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }

        var left = Path.Combine(data, "tmp");
        await WaitForAsync(() => !Directory.EnumerateFileSystemEntries(left).Any());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Directory.EnumerateFileSystemEntries(left), Is.Empty, "the pushes that went left their bodies behind");
            Assert.That(await server.DrainErrorsAsync(), Is.Empty);
        }
    }

    private static long ResidentBytes(ServerProcess server)
    {
        var line = File.ReadLines($"/proc/{server.ProcessId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private static Task<bool> WaitForAsync(Func<bool> condition) => Eventually.WaitAsync(condition, Bound);
}
