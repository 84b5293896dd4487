using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Uploads;

/// <summary>Uploads that outlive a restart still count against their owner's limits.</summary>
public sealed class UploadLimitRestartTests : FolderPerTest
{
    [Test]
    public async Task UploadsOpenBeforeARestart_StillCount()
    {
        string[] arguments = ["--data-dir", Folder.Combine("data"), "--Berth:Uploads:MaxOpenPerUser=2", "--Berth:Uploads:MaxBytesPerUser=1000"];
        string first;
        await using (var server = await ServerProcess.StartAsync(Folder.Path, arguments))
        {
            var api = new ContentApiClient(server.CreateClient());
            first = await api.UploadAsync(new byte[600]);
            await api.UploadAsync(new byte[300]);
            await server.StopAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(Folder.Path, arguments);
        var again = new ContentApiClient(restarted.CreateClient());
        await ContentApiClient.ReadErrorAsync(await again.Http.PostAsync(ContentApiClient.Root + "/content/uploads/", null), HttpStatusCode.TooManyRequests, "BRT0206");
        await ContentApiClient.ReadErrorAsync(await again.PutSegmentAsync(first, 600, new byte[101]), HttpStatusCode.Forbidden, "BRT0207");
        await ContentApiClient.ReadAsync(await again.PutSegmentAsync(first, 600, new byte[100]), HttpStatusCode.OK);
    }
}
