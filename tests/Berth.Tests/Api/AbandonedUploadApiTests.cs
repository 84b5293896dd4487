using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

public sealed class AbandonedUploadApiTests : ApiFixture
{
    protected override string? OneServerOnly => "it ages an upload through its file in one server's data folder";

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["Berth:UploadExpiry"] = "01:00:00",
        ["Berth:UploadPurgeInterval"] = "00:10:00",
        [ServerClock.Manual.Key] = ServerClock.Manual.Value,
    };

    [Test]
    public async Task UploadsUntouchedPastTheExpiry_ArePurged_AndActiveOnesStay()
    {
        // Shared uploads age by their parts' times: Replicas/SharedUploadTests purges those.
        Assume.That(UploadsShared, Is.False, "it ages an upload through its file, and this server's uploads are parts in the bucket");
        var abandoned = await Api.UploadAsync(new byte[1000]);
        var active = await Api.UploadAsync(new byte[1000]);
        File.SetLastWriteTimeUtc(Path.Combine(Host.DataDir, "uploads", abandoned), DateTime.UtcNow.AddHours(-2));

        // The purge's interval passes at once; the round it starts is then waited for, with a bound.
        await Host.AdvanceClockAsync(TimeSpan.FromMinutes(10));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!timeout.IsCancellationRequested)
        {
            using var response = await Api.Http.GetAsync($"{ContentApiClient.Root}/content/uploads/{abandoned}/", timeout.Token);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                break;
            }

            await Task.Delay(50, timeout.Token);
        }

        var open = (await Api.GetJsonAsync("/content/uploads/"))["upload_ids"]!.AsArray().Select(i => i!.GetValue<string>()).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(open, Does.Not.Contain(abandoned));
            Assert.That(File.Exists(Path.Combine(Host.DataDir, "uploads", abandoned)), Is.False);
            Assert.That(open, Does.Contain(active));
        }
    }
}
