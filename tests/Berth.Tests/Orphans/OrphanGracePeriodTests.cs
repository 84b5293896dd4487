using System.Net;
using Berth.Tests.Api;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Orphans;

/// <summary>With the default grace period, what was just removed is an orphan but is not yet collected.</summary>
public sealed class OrphanGracePeriodTests : ApiFixture
{
    [Test]
    public async Task JustRemoved_IsLeftForItsGracePeriod()
    {
        var repo = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repo);
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(repo, image, "1.0");
        await Api.UnassociateAllAsync(repo);

        // The fixture's other tests leave orphans of their own in this server: all of them are young.
        var orphans = await Api.OrphansAsync();
        Assert.That(
            orphans.Select(u => u!["metadata"]!["digest"]?.GetValue<string>()),
            Is.SupersetOf(image.Blobs.Select(b => b.Digest.ToString()).Append(image.Digest.ToString())));

        using var response = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/orphans/");
        var report = (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(report["units_removed_total"]!.GetValue<long>(), Is.Zero);
            Assert.That(report["skipped_in_grace_period"]!.GetValue<long>(), Is.EqualTo(orphans.Count));
            Assert.That(report["grace_period_seconds"]!.GetValue<double>(), Is.EqualTo(3600));
            Assert.That(await IsStoredAsync(image.Digest.ToString()), Is.True);
        }

        Assert.That(await Api.OrphansAsync(), Has.Count.EqualTo(orphans.Count));
    }

    [Test]
    public async Task DeletedRepository_IsLeftForItsGracePeriod()
    {
        var repo = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repo);
        var image = TestManifest.OciImage();
        await Api.ImportImageAsync(repo, image, "1.0");
        using (var deleted = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{repo}/"))
        {
            Assert.That((int)deleted.StatusCode, Is.LessThan(300), await deleted.Content.ReadAsStringAsync());
        }

        using var response = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/orphans/");
        var report = (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;

        Assert.That(report["units_removed_total"]!.GetValue<long>(), Is.Zero);
        Assert.That(await IsStoredAsync(image.Digest.ToString()), Is.True);
    }
}
