using System.Diagnostics;
using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Startup;

/// <summary>
/// Ctrl-C or SIGTERM while a large upload streams in: the server says it waits for the request in flight and for
/// how long at most, exits within that bound, and the upload resumes after a restart from what it acknowledged
/// (issue 15, item 4). Before, it waited 30 s in silence.
/// </summary>
[NonParallelizable]
public sealed class ShutdownTests : FolderPerTest
{
    private const int Chunk = 1024 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [TestCase("TERM")]
    [TestCase("INT")]
    public async Task Signal_DuringAStreamingUpload_WaitsABoundedTime_SayingSo_AndTheUploadResumes(string signal)
    {
        var dataDir = Folder.Combine("data");
        var blob = TestBlob.Random(4 * Chunk);
        string location;
        await using (var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir, "--Berth:ShutdownTimeout=00:00:02"))
        {
            using var http = server.CreateClient();
            var registry = new RegistryClient(http);
            location = await registry.StartUploadAsync("app");
            using (var first = await registry.SendAsync(HttpMethod.Patch, location, Range(blob.Bytes, 0, Chunk)))
            {
                Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await first.Content.ReadAsStringAsync());
                location = first.Headers.Location!.ToString();
            }

            // The rest of the blob is sent only in part, then the body stalls: a large upload on a slow line.
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var streaming = registry.SendAsync(HttpMethod.Patch, location, new StalledBody(blob.Bytes.AsMemory(Chunk, 2 * Chunk), release.Task));
            try
            {
                Assert.That(
                    await Eventually.WaitAsync(() => UploadFileLengths(dataDir).Any(length => length > Chunk), Bound),
                    Is.True,
                    "the server is writing the stalled request's bytes: the request is in flight");

                var clock = Stopwatch.StartNew();
                await server.SignalAsync(signal);
                Assert.That(
                    await Eventually.WaitAsync(() => server.Output.Contains("for 1 request in flight", StringComparison.Ordinal), Bound),
                    Is.True,
                    server.Output);
                await server.WaitForExitAsync(Bound);
                var stopping = clock.Elapsed;
                using (Assert.EnterMultipleScope())
                {
                    Assert.That(server.Output, Does.Contain("Waiting at most 2 s (Berth:ShutdownTimeout) for 1 request in flight"));
                    Assert.That(stopping, Is.LessThan(TimeSpan.FromSeconds(15)), "the wait is bounded by Berth:ShutdownTimeout, not the host's 30 s");
                    Assert.That(server.ErrorsAfterExit(), Is.Empty, "cutting off a request in flight is no error");
                }
            }
            finally
            {
                release.TrySetResult();
            }

            Assert.That(async () => await streaming, Throws.InstanceOf<HttpRequestException>(), "the stalled request was cut off");
        }

        await using var restarted = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir);
        using var client = restarted.CreateClient();
        var again = new RegistryClient(client);
        using (var status = await again.SendAsync(HttpMethod.Get, location))
        {
            Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(RegistryClient.Header(status, "Range"), Is.EqualTo($"0-{Chunk - 1}"), "what the first PATCH acknowledged, and nothing of the one cut off");
        }

        using (var rest = await again.SendAsync(HttpMethod.Patch, location, Range(blob.Bytes, Chunk, blob.Bytes.Length - Chunk)))
        {
            Assert.That(rest.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await rest.Content.ReadAsStringAsync());
            location = rest.Headers.Location!.ToString();
        }

        using (var put = await again.SendAsync(HttpMethod.Put, RegistryClient.WithDigest(location, blob.Digest)))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        }

        using var pulled = await client.GetAsync($"/v2/app/blobs/{blob.Digest}");
        Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes));
    }

    private static ByteArrayContent Range(byte[] bytes, int offset, int count)
    {
        var content = new ByteArrayContent(bytes, offset, count);
        content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + count - 1}");
        return content;
    }

    private static IEnumerable<long> UploadFileLengths(string dataDir) =>
        Directory.Exists(Path.Combine(dataDir, "uploads"))
            ? Directory.EnumerateFiles(Path.Combine(dataDir, "uploads")).Select(f => new FileInfo(f).Length)
            : [];

    /// <summary>A streamed body (no length) that sends its bytes, then nothing until released.</summary>
    private sealed class StalledBody(ReadOnlyMemory<byte> sent, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(sent);
            await stream.FlushAsync();
            await release;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
