using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Clients;

/// <summary>
/// The penetration test's slow-body attack (issue 18), at a scale CI affords, against the server process with
/// small connection limits: hundreds of anonymous connections from 127.0.0.2 trickle a declared 1 MB body to
/// <c>POST /pulp/api/v2/users/</c> and to a registry PATCH, or trickle their headers, reconnecting as soon as they
/// are turned away. Bodies must be answered 401 or refused at the door, no address may hold more connections than
/// it is allowed, a client from 127.0.0.1 must be served meanwhile, and the server's descriptors must come back
/// to where they were.
/// </summary>
[TestFixture]
[NonParallelizable]
[Category("EndToEnd")]
public sealed class SlowBodyAttackTests : FolderPerTest
{
    private const int HeadersTimeoutSeconds = 5;
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Connections the server kept longer than this were let in; refused ones close within milliseconds.</summary>
    private static readonly TimeSpan LetIn = TimeSpan.FromSeconds(1);

    [Test]
    public async Task SlowBodiesAndHeldConnections_FromOneAddress_AreTurnedAway_WhileOthersAreServed()
    {
        const int perAddress = 40;
        await using var server = await ServerProcess.StartAsync(
            Folder.Path,
            "--data-dir", Folder.Combine("data"),
            $"--Berth:Clients:MaxConnectionsPerAddress={perAddress}",
            "--Berth:Clients:MaxConnections=150",
            $"--Berth:Clients:RequestHeadersTimeout=00:00:0{HeadersTimeoutSeconds}");
        using var http = server.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(15);
        var (api, registry) = (new ContentApiClient(http), new RegistryClient(http));
        await api.CreateDockerRepositoryAsync("target");
        var session = new Uri(server.BaseAddress, await registry.StartUploadAsync("target")).PathAndQuery;

        // The first requests load what the server loads once (assemblies, the database): the baseline comes after.
        await WorkAsync(api, registry, 0);
        var baseline = OpenDescriptors(server);

        await using var attack = Attack.Start(Target(server), Slots(100, session, bodies: 200));
        var peak = SamplePeak(server, out var sampling);
        // In full swing: bodies answered 401 and refused at the door, and endless headers holding every place the
        // address has until the headers timeout cuts them off.
        await WaitForAsync(
            () => attack.Count(o => o.Status == 401) >= 100 && attack.Count(o => o.Held == Held.Refused) >= 100 && attack.Count(o => o.Status == 408) >= perAddress / 2,
            "the attack got going");
        var served = new List<TimeSpan>();
        for (var round = 1; round <= 5; round++)
        {
            var clock = Stopwatch.StartNew();
            await WorkAsync(api, registry, round);
            served.Add(clock.Elapsed);
        }

        await attack.StopAsync();
        await sampling.DisposeAsync();
        var back = await WaitForAsync(() => OpenDescriptors(server) <= baseline + 25, "the server's descriptors came back");

        // The server's log reaches the test a little after the refusals the attackers saw.
        await WaitForAsync(() => server.Output.Contains("Refused", StringComparison.Ordinal) && server.Output.Contains("MaxConnectionsPerAddress", StringComparison.Ordinal), "refusals are logged");
        var outcomes = attack.Outcomes;
        var mostHeld = Attack.MostHeldAtOnce(outcomes.Select(o => o.Outcome), LetIn);
        TestContext.Out.WriteLine($"attack from {Attacker}: {outcomes.Count} connections; {attack.Describe()}");
        TestContext.Out.WriteLine($"most let in at once: {mostHeld} (limit {perAddress} per address)");
        TestContext.Out.WriteLine($"server descriptors: {baseline} before, {peak.Value} at the peak, {OpenDescriptors(server)} after ({back.TotalSeconds:0.0} s to come back)");
        TestContext.Out.WriteLine($"the client from 127.0.0.1, 5 rounds under attack: {string.Join(", ", served.Select(t => $"{t.TotalMilliseconds:0} ms"))}");
        using (Assert.EnterMultipleScope())
        {
            // A body never gets past the credentials check: 401 at once, or refused at the door. One the end of the
            // attack cut off was open for a moment only.
            Assert.That(
                outcomes.Where(o => o.Kind != "headers").Select(o => o.Outcome),
                Is.All.Matches<SlowClient.Outcome>(o => o.Status == 401 || o.Held == Held.Refused || (o.Held == Held.StillOpen && o.Duration < LetIn)));
            Assert.That(attack.Count(o => o.Status == 401), Is.Positive);
            Assert.That(
                outcomes.Where(o => o.Kind == "headers").Select(o => o.Outcome),
                Is.All.Matches<SlowClient.Outcome>(o => o.Held != Held.Answered || o.Status is 400 or 408),
                "headers that never end are cut off, never answered");
            Assert.That(outcomes.Max(o => o.Outcome.Duration), Is.LessThan(TimeSpan.FromSeconds(HeadersTimeoutSeconds + 5)), "no attacker held a connection past the headers timeout");
            Assert.That(mostHeld, Is.InRange(1, perAddress), "one address held more connections than it may");
            Assert.That(await server.DrainErrorsAsync(), Is.Empty, "the server logged errors");
        }

        await WorkAsync(api, registry, 6);
    }

    /// <summary>
    /// With no limit per address, one address can take every connection the server holds, but no more than its
    /// descriptor limit leaves room for: the server lives through it, refuses the rest, and serves again once the
    /// attack ends (in the penetration test, the process ran out of descriptors and died).
    /// </summary>
    [Test]
    public async Task WithoutALimitPerAddress_ConnectionsStayBelowTheDescriptorLimit_AndTheServerLivesThroughIt()
    {
        const int descriptors = 1024;
        const int expected = (descriptors - 512) / 2;
        var start = ServerProcess.StartInfo(
            Folder.Path,
            "--urls", "http://127.0.0.1:0",
            "--data-dir", Folder.Combine("data"),
            "--Berth:Clients:MaxConnectionsPerAddress=0",
            "--Berth:Clients:MaxStreamsPerConnection=1",
            $"--Berth:Clients:RequestHeadersTimeout=00:00:0{HeadersTimeoutSeconds}");
        // Soft and hard alike, as ulimit sets them: the runtime raises the soft limit to the hard one as it starts.
        await using var server = await ServerProcess.StartAsync(ServerProcess.Through(start, $"ulimit -n {descriptors}"));
        Assert.That(server.Output, Does.Contain($"Connections: at most {expected} at once").And.Contain($"RLIMIT_NOFILE is {descriptors}"));
        using var http = server.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(15);
        var (api, registry) = (new ContentApiClient(http), new RegistryClient(http));
        await api.CreateDockerRepositoryAsync("target");
        var session = new Uri(server.BaseAddress, await registry.StartUploadAsync("target")).PathAndQuery;
        await WorkAsync(api, registry, 0);
        var baseline = OpenDescriptors(server);

        await using var attack = Attack.Start(Target(server), Slots(400, session, bodies: 60));
        var peak = SamplePeak(server, out var sampling);
        await WaitForAsync(() => attack.Count(o => o.Held == Held.Refused) >= 300 && attack.Count(o => o.Status == 408) >= expected / 2, "the attack filled the server");
        await attack.StopAsync();
        await sampling.DisposeAsync();
        var back = await WaitForAsync(() => OpenDescriptors(server) <= baseline + 25, "the server's descriptors came back");

        await WaitForAsync(() => server.Output.Contains("Refused", StringComparison.Ordinal) && server.Output.Contains("RLIMIT_NOFILE", StringComparison.Ordinal), "refusals are logged");
        var mostHeld = Attack.MostHeldAtOnce(attack.Outcomes.Select(o => o.Outcome), LetIn);
        TestContext.Out.WriteLine($"attack from {Attacker}: {attack.Outcomes.Count} connections; {attack.Describe()}");
        TestContext.Out.WriteLine($"most let in at once: {mostHeld} (cap {expected} for RLIMIT_NOFILE {descriptors})");
        TestContext.Out.WriteLine($"server descriptors: {baseline} before, {peak.Value} at the peak, {OpenDescriptors(server)} after ({back.TotalSeconds:0.0} s to come back)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(mostHeld, Is.InRange(expected / 2, expected), "the server held more connections than its descriptors allow, or the attack never filled it");
            Assert.That(peak.Value, Is.LessThan(descriptors - 100), "the server came close to its descriptor limit");
            Assert.That(await server.DrainErrorsAsync(), Is.Empty, "the server logged errors");
        }

        await WorkAsync(api, registry, 1);
    }

    /// <summary>
    /// The attack's clients, all from <see cref="Attacker"/>: bodies trickled to create a user and to a registry
    /// session (half each), and headers that never end.
    /// </summary>
    private static IEnumerable<Attack.Slot> Slots(int headers, string session, int bodies)
    {
        var body = new byte[1_000_000];
        var headerLines = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("X-Slow: a\r\n", 10_000)));
        for (var i = 0; i < bodies / 2; i++)
        {
            yield return new("users", Attacker, "POST /pulp/api/v2/users/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n", body);
            yield return new("patch", Attacker, $"PATCH {session} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n", body);
        }

        for (var i = 0; i < headers; i++)
        {
            yield return new("headers", Attacker, "POST /pulp/api/v2/users/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n", headerLines);
        }
    }

    /// <summary>What a client that signed in does: read, upload a blob and import it, push one through the registry.</summary>
    private static async Task WorkAsync(ContentApiClient api, RegistryClient registry, int round)
    {
        Assert.That((await api.GetJsonAsync("/repositories/")).AsArray(), Is.Not.Empty);
        var blob = TestBlob.Random((64 * 1024) + round);
        using (var imported = await api.ImportAsync("target", await api.UploadAsync(blob.Bytes), "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() }))
        {
            await ContentApiClient.ReadAsync(imported, HttpStatusCode.Accepted);
        }

        await registry.PushBlobAsync("target", TestBlob.Random((32 * 1024) + round));
    }

    private static IPEndPoint Target(ServerProcess server) => new(IPAddress.Loopback, server.BaseAddress.Port);

    private static int OpenDescriptors(ServerProcess server) => Directory.GetFileSystemEntries($"/proc/{server.ProcessId}/fd").Length;

    /// <summary>Samples the server's open descriptors until the returned sampler is disposed; the box holds the most seen.</summary>
    private static StrongBox<int> SamplePeak(ServerProcess server, out IAsyncDisposable sampler)
    {
        var peak = new StrongBox<int>(OpenDescriptors(server));
        var stop = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak.Value = Math.Max(peak.Value, OpenDescriptors(server));
                await Task.Delay(50, CancellationToken.None);
            }
        });
        sampler = new Sampler(stop, sampling);
        return peak;
    }

    /// <summary>Waits, a bounded time, for a condition; returns how long it took.</summary>
    private static async Task<TimeSpan> WaitForAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Bound)
            {
                Assert.Fail($"not within {Bound.TotalSeconds} s: {what}");
            }

            await Task.Delay(50);
        }

        return clock.Elapsed;
    }

    private sealed class StrongBox<T>(T value)
    {
        public T Value { get; set; } = value;
    }

    private sealed class Sampler(CancellationTokenSource stop, Task sampling) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await sampling;
            stop.Dispose();
        }
    }
}
