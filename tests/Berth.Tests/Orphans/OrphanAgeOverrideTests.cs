using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Access;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Orphans;

/// <summary>
/// An administrator may collect orphans younger than the grace period by saying how old they must be
/// (<c>?older_than_seconds=N</c>): what is older goes, what is younger stays, and without it the grace period holds.
/// </summary>
public sealed class OrphanAgeOverrideTests() : AccessFixture(ServerKind.Process)
{
    private const string Orphans = $"{ContentApiClient.Root}/content/orphans/";

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>([ServerClock.Manual]);

    [Test]
    public async Task OlderThan_CollectsAnOrphanOldEnough_WhileTheDefaultKeepsItAndAYoungerOneStays()
    {
        var repo = await DockerRepositoryAsync();
        var (old, young) = (TestManifest.OciImage(), TestManifest.OciImage());
        await OrphanAsync(repo, old, "old");
        await Host.AdvanceClockAsync(TimeSpan.FromMinutes(10));
        await OrphanAsync(repo, young, "young");
        var orphans = (await Api.OrphansAsync()).Count;

        var byDefault = await CollectAsync(string.Empty);
        Assert.That(byDefault["units_removed_total"]!.GetValue<long>(), Is.Zero, "both are within the hour of grace");
        Assert.That(byDefault["skipped_in_grace_period"]!.GetValue<long>(), Is.EqualTo(orphans));

        var overridden = await CollectAsync("?older_than_seconds=300");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(overridden["units_removed"]!["docker_blob"]!.GetValue<long>(), Is.EqualTo(old.Blobs.Count));
            Assert.That(overridden["units_removed"]!["docker_manifest"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(overridden["units_removed"]!["docker_tag"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(overridden["skipped_in_grace_period"]!.GetValue<long>(), Is.EqualTo(young.Blobs.Count + 2), "the younger image's blobs, manifest and tag");
            Assert.That(overridden["grace_period_seconds"]!.GetValue<double>(), Is.EqualTo(300));
            Assert.That(await StoredAsync(old), Is.All.False, "the older image's content left the content store");
            Assert.That(await StoredAsync(young), Is.All.True, "the younger image's content stays");
        }

        await Host.AdvanceClockAsync(TimeSpan.FromSeconds(1));
        var everything = await CollectAsync("?older_than_seconds=0");
        Assert.That(everything["units_removed_total"]!.GetValue<long>(), Is.EqualTo(young.Blobs.Count + 2));
        Assert.That(await StoredAsync(young), Is.All.False);
        Assert.That(await Api.OrphansAsync(), Is.Empty);
    }

    [TestCase("-1")]
    [TestCase("")]
    [TestCase("soon")]
    [TestCase("1.5")]
    [TestCase("1e3")]
    [TestCase("%2B5")]
    [TestCase("99999999999999999999")]
    [TestCase("3155760001")]
    [TestCase("1&older_than_seconds=2")]
    public async Task OlderThan_Malformed_Is400(string value)
    {
        using var response = await Api.Http.DeleteAsync($"{Orphans}?older_than_seconds={value}");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, "PLP0015", "older_than_seconds");
    }

    [Test]
    public async Task OlderThan_IsForAdministratorsOnly()
    {
        var login = await CreateUserAsync(("*", "pull,push,delete"), ("team/*", "admin"));
        using var response = await ApiAs(login).Http.DeleteAsync($"{Orphans}?older_than_seconds=0");
        await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.Forbidden, "BRT0403");
    }

    private async Task OrphanAsync(string repository, TestManifest image, string tag)
    {
        await Api.ImportImageAsync(repository, image, tag);
        await Api.UnassociateAllAsync(repository);
    }

    private async Task<JsonNode> CollectAsync(string query)
    {
        using var response = await Api.Http.DeleteAsync(Orphans + query);
        return (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
    }

    private async Task<List<bool>> StoredAsync(TestManifest image)
    {
        var stored = new List<bool>();
        foreach (var digest in image.Blobs.Select(b => b.Digest.ToString()).Append(image.Digest.ToString()))
        {
            stored.Add(await IsStoredAsync(digest));
        }

        return stored;
    }
}
