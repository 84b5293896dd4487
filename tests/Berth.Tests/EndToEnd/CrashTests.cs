using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;

namespace Berth.Tests.EndToEnd;

/// <summary>
/// The real server process, killed with SIGKILL at random moments while blobs are pushed through the registry,
/// uploaded and imported through the content API, and images (manifests and tags) are pushed by several clients at once
/// (their imports share flushes); restarted each time,
/// and checked: everything acknowledged is there and hashes to its digest, no tag points at a missing manifest, no
/// content path holds partial bytes (the server's verification re-hashes all), temporary files are gone at start.
/// </summary>
[NonParallelizable]
[Category("Crash")]
public sealed class CrashTests : FolderPerTest
{
    // Each round is a kill at a random moment; the longer run makes more of them.
    private static readonly int Rounds = LongerRun.Rounds(8, 25);
    private const int ImagePushers = 4;
    private const string Name = "crash/app";
    private const string ContentRepository = "crash-content";

    // What was acknowledged since the last check, and everything acknowledged: each restart checks the former (what
    // the last kill could have hurt), the last one everything.
    private readonly ConcurrentBag<(string Name, Digest Digest)> _acknowledgedBlobs = [];
    private readonly ConcurrentBag<(Digest Digest, string Tag)> _acknowledgedManifests = [];
    private readonly List<(string Name, Digest Digest)> _allBlobs = [];
    private readonly List<(Digest Digest, string Tag)> _allManifests = [];
    private readonly ConcurrentQueue<string> _unexpected = new();
    [Test]
    public async Task KilledAtRandomMoments_LosesNothingAcknowledged()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var dataDir = Folder.Combine("data");
        var survived = 0;
        await using (var first = await StartAsync(dataDir))
        {
            using var http = first.CreateClient();
            await new ContentApiClient(http).CreateDockerRepositoryAsync(ContentRepository);
            await first.StopAsync();
        }

        for (var round = 1; round <= Rounds; round++)
        {
            await using var server = await StartAsync(dataDir);
            using var http = server.CreateClient();
            await CheckInvariantsAsync(server, http, dataDir, $"round {round} (seed {seed})", everything: false);
            survived = round - 1;

            using var workload = new CancellationTokenSource();
            var round1 = round;
            var tasks = new List<Task>
            {
                Task.Run(() => PushBlobsAsync(http, round1, new Random(random.Next()), workload.Token)),
                Task.Run(() => ImportBlobsAsync(http, new Random(random.Next()), workload.Token)),
            };

            // Image pushers at once, so that imports share the flushes that make them durable (group commit).
            for (var client = 0; client < ImagePushers; client++)
            {
                var (client1, pusher) = (client, new Random(random.Next()));
                tasks.Add(Task.Run(() => PushImagesAsync(http, round1, client1, pusher, workload.Token)));
            }

            await Task.Delay(random.Next(150, 1500));
            await server.KillAsync();
            await workload.CancelAsync();
            await Task.WhenAll(tasks);

            // What a crash leaves in tmp/ (a file being written) must be gone when the server starts again.
            await File.WriteAllBytesAsync(Path.Combine(dataDir, "tmp", $"stale-{round}"), new byte[1000]);
        }

        await using (var last = await StartAsync(dataDir))
        {
            using var http = last.CreateClient();
            await CheckInvariantsAsync(last, http, dataDir, $"after the last round (seed {seed})", everything: true);
            survived = Rounds;
            await last.StopAsync();
        }

        TestContext.Out.WriteLine(
            $"crash rounds survived: {survived}; acknowledged blobs: {_allBlobs.Count}, manifests: {_allManifests.Count}");
        Assert.That(_unexpected, Is.Empty, "requests the live server answered wrongly");
        Assert.That(_allBlobs.Count + _allManifests.Count, Is.GreaterThan(Rounds), "the workload hardly ran before the kills");

        // The command-line verification, with the server stopped, agrees.
        var verify = ServerProcess.StartInfo(Folder.Path, "verify", "--data-dir", dataDir);
        using var process = Process.Start(verify)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("no problems"));
    }

    private async Task CheckInvariantsAsync(ServerProcess server, HttpClient http, string dataDir, string when, bool everything)
    {
        Assert.That(Directory.EnumerateFileSystemEntries(Path.Combine(dataDir, "tmp")), Is.Empty, $"{when}: temporary files survived the start");
        _allBlobs.AddRange(_acknowledgedBlobs);
        _allManifests.AddRange(_acknowledgedManifests);
        var blobs = everything ? _allBlobs : [.. _acknowledgedBlobs];
        var manifests = everything ? _allManifests : [.. _acknowledgedManifests];
        _acknowledgedBlobs.Clear();
        _acknowledgedManifests.Clear();

        foreach (var (name, digest) in blobs)
        {
            using var response = await http.GetAsync($"/v2/{name}/blobs/{digest}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{when}: acknowledged blob {digest} in {name}");
            Assert.That(Digest.Compute(await response.Content.ReadAsByteArrayAsync()), Is.EqualTo(digest), $"{when}: blob {digest} hashes otherwise");
        }

        foreach (var (digest, tag) in manifests)
        {
            using var response = await http.GetAsync($"/v2/{Name}/manifests/{digest}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{when}: acknowledged manifest {digest}");
            Assert.That(Digest.Compute(await response.Content.ReadAsByteArrayAsync()), Is.EqualTo(digest), $"{when}: manifest {digest} hashes otherwise");
            using var tagged = await http.GetAsync($"/v2/{Name}/manifests/{tag}");
            Assert.That(tagged.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{when}: acknowledged tag {tag}");
        }

        using (var list = await http.GetAsync($"/v2/{Name}/tags/list"))
        {
            if (list.StatusCode == HttpStatusCode.OK)
            {
                foreach (var tag in JsonNode.Parse(await list.Content.ReadAsStringAsync())!["tags"]!.AsArray())
                {
                    using var response = await http.GetAsync($"/v2/{Name}/manifests/{tag}");
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{when}: tag {tag} points at a missing manifest");
                }
            }
        }

        using (var verify = await http.PostAsync("/pulp/api/v2/content/actions/verify/", null))
        {
            var report = await ContentApiClient.ReadAsync(verify, HttpStatusCode.OK);
            Assert.That(report["ok"]!.GetValue<bool>(), Is.True, $"{when}: {report.ToJsonString()}");
        }

        Assert.That(await server.DrainErrorsAsync(), Is.Empty, $"{when}: the server logged errors");
    }

    /// <summary>Registry pushes: monolithic or in chunks, of blobs from 1 KiB to 512 KiB.</summary>
    private async Task PushBlobsAsync(HttpClient http, int round, Random random, CancellationToken cancellationToken)
    {
        for (var i = 0; ; i++)
        {
            var blob = Blob(random);
            var name = $"crash/blobs{round % 3}";
            var acknowledged = await RunAsync(async () =>
            {
                var location = await ExpectAsync(await http.PostAsync($"/v2/{name}/blobs/uploads/", null, cancellationToken), HttpStatusCode.Accepted);
                var offset = 0;
                var chunk = i % 2 == 0 ? blob.Bytes.Length : 64 * 1024;
                while (offset < blob.Bytes.Length - chunk)
                {
                    var content = new ByteArrayContent(blob.Bytes, offset, chunk);
                    content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + chunk - 1}");
                    location = await ExpectAsync(await http.PatchAsync(location, content, cancellationToken), HttpStatusCode.Accepted);
                    offset += chunk;
                }

                var last = new ByteArrayContent(blob.Bytes, offset, blob.Bytes.Length - offset);
                await ExpectAsync(await http.PutAsync(RegistryClient.WithDigest(location, blob.Digest), last, cancellationToken), HttpStatusCode.Created);
            });
            if (!acknowledged)
            {
                return;
            }

            _acknowledgedBlobs.Add((name, blob.Digest));
        }
    }

    /// <summary>Content API uploads in segments, then import_upload.</summary>
    private async Task ImportBlobsAsync(HttpClient http, Random random, CancellationToken cancellationToken)
    {
        var api = new ContentApiClient(http);
        while (true)
        {
            var blob = Blob(random);
            var acknowledged = await RunAsync(async () =>
            {
                var created = await http.PostAsync($"{ContentApiClient.Root}/content/uploads/", null, cancellationToken);
                var uploadId = JsonNode.Parse(await ReadAsync(created, HttpStatusCode.Created))!["upload_id"]!.GetValue<string>();
                for (var offset = 0; offset < blob.Bytes.Length; offset += 100_000)
                {
                    var length = Math.Min(100_000, blob.Bytes.Length - offset);
                    await ReadAsync(await api.PutSegmentAsync(uploadId, offset, blob.Bytes.AsMemory(offset, length)), HttpStatusCode.OK);
                }

                await ReadAsync(
                    await api.ImportAsync(ContentRepository, uploadId, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() }),
                    HttpStatusCode.Accepted);
            });
            if (!acknowledged)
            {
                return;
            }

            // A repository made through the content API is served under its id.
            _acknowledgedBlobs.Add((ContentRepository, blob.Digest));
        }
    }

    /// <summary>Whole images: their blobs, then the manifest under a tag of its own, then "latest" moved to it.</summary>
    private async Task PushImagesAsync(HttpClient http, int round, int client, Random random, CancellationToken cancellationToken)
    {
        for (var i = 0; ; i++)
        {
            var image = TestManifest.OciImage(layers: random.Next(1, 3), layerSize: random.Next(1024, 128 * 1024));
            var tag = $"r{round}-c{client}-{i}";
            var acknowledged = await RunAsync(async () =>
            {
                foreach (var blob in image.Blobs)
                {
                    var location = await ExpectAsync(await http.PostAsync($"/v2/{Name}/blobs/uploads/", null, cancellationToken), HttpStatusCode.Accepted);
                    await ExpectAsync(await http.PutAsync(RegistryClient.WithDigest(location, blob.Digest), new ByteArrayContent(blob.Bytes), cancellationToken), HttpStatusCode.Created);
                }

                foreach (var reference in new[] { tag, "latest" })
                {
                    var content = new ByteArrayContent(image.Bytes);
                    content.Headers.ContentType = new MediaTypeHeaderValue(image.MediaType);
                    await ExpectAsync(await http.PutAsync($"/v2/{Name}/manifests/{reference}", content, cancellationToken), HttpStatusCode.Created);
                }
            });
            if (!acknowledged)
            {
                return;
            }

            _acknowledgedManifests.Add((image.Digest, tag));
        }
    }

    private static TestBlob Blob(Random random)
    {
        var bytes = new byte[random.Next(1024, 512 * 1024)];
        random.NextBytes(bytes);
        return new TestBlob(bytes, "application/octet-stream");
    }

    /// <summary>Runs one operation; false when the server died under it (the operation is then not acknowledged).</summary>
    private static async Task<bool> RunAsync(Func<Task> operation)
    {
        try
        {
            await operation();
            return true;
        }
        // A server killed just as a connection was made surfaces as a bare SocketException: HttpClient reads the socket's
        // remote end point after connecting, and that read fails unwrapped once the peer has gone.
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private async Task<string> ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            await ReadAsync(response, expected);
            return response.Headers.Location!.ToString();
        }
    }

    /// <summary>
    /// The body of a response with the expected status. Any other answer from a live server is a defect: it is
    /// recorded, and the operation ends as not acknowledged.
    /// </summary>
    private async Task<string> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
        {
            _unexpected.Enqueue($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
            throw new OperationCanceledException("unexpected answer");
        }

        return text;
    }

    private Task<ServerProcess> StartAsync(string dataDir) => ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir);
}
