using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Replicas;

/// <summary>
/// Two servers on one PostgreSQL database: one at a time leads scheduled work (here, orphan collection every second),
/// the other does none of it, and when the leader is killed (kill -9, no goodbye) the other takes over within seconds.
/// </summary>
[NonParallelizable]
public sealed partial class LeadershipTests : FolderPerTest
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private TestStorage _storage = null!;
    private readonly List<ServerProcess> _servers = [];

    [SetUp]
    public async Task StartTwoServers()
    {
        _storage = await TestStorage.CreateAsync(StorageBackend.PostgreSql);
        foreach (var name in new[] { "first", "second" })
        {
            _servers.Add(await ServerProcess.StartAsync(
                Folder.Path, ["--data-dir", Folder.Combine(name), "--Berth:Lifecycle:OrphanCollectionInterval=00:00:01", .. _storage.Arguments]));
        }
    }

    [TearDown]
    public async Task StopServers()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        await _storage.DisposeAsync();
    }

    [Test]
    public async Task OneServerLeads_TheOtherRunsNoScheduledWork_AndTakesOverWithinSecondsOfTheLeadersDeath()
    {
        ServerProcess? leader = null;
        Assert.That(
            await Eventually.WaitAsync(async () => (leader = (await LeadersAsync()).SingleOrDefault()) is not null, Bound),
            Is.True,
            "one server, and only one, leads");
        var follower = _servers.Single(s => s != leader);

        Assert.That(await Eventually.WaitAsync(async () => await CollectionsAsync(leader!) >= 3, Bound), Is.True, "the leader collects every second");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await CollectionsAsync(follower), Is.Zero, "the follower collects nothing");
            Assert.That(await LeadersAsync(), Is.EqualTo(new[] { leader }), "still one leader");
        }

        var killed = Stopwatch.StartNew();
        await leader!.KillAsync();
        _servers.Remove(leader);
        await leader.DisposeAsync();
        Assert.That(await Eventually.WaitAsync(async () => await IsLeaderAsync(follower), Bound), Is.True, "the follower takes over");
        var takeover = killed.Elapsed;
        TestContext.Out.WriteLine($"took over {takeover.TotalSeconds:F1} s after the leader was killed");
        Assert.That(takeover, Is.LessThan(TimeSpan.FromSeconds(5)), "within seconds");
        Assert.That(await Eventually.WaitAsync(async () => await CollectionsAsync(follower) >= 1, Bound), Is.True, "and runs the scheduled work");
    }

    private async Task<List<ServerProcess>> LeadersAsync()
    {
        var leaders = new List<ServerProcess>();
        foreach (var server in _servers)
        {
            if (await IsLeaderAsync(server))
            {
                leaders.Add(server);
            }
        }

        return leaders;
    }

    private static async Task<bool> IsLeaderAsync(ServerProcess server)
    {
        using var http = server.CreateAnonymousClient();
        var status = JsonNode.Parse(await http.GetStringAsync($"{ContentApiClient.Root}/status/"))!;
        return status["scheduler"]!["leader"]!.GetValue<bool>();
    }

    /// <summary>Orphan collections the server has run, from its metrics (none exported before the first).</summary>
    private static async Task<double> CollectionsAsync(ServerProcess server)
    {
        using var http = server.CreateAnonymousClient();
        var metrics = await http.GetStringAsync("/metrics");
        return Collections().Matches(metrics).Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^berth_orphans_collections_total(?:\{[^}]*\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Collections();
}
