using System.Net;
using System.Net.Http.Headers;
using Berth.Tests.Support;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Replicas;

/// <summary>
/// Pushes as a client does behind a balancer whose servers may die: each step tried again, for a bounded time, when the
/// answer is not the one wanted; and the check that everything acknowledged is there afterwards.
/// </summary>
internal static class ReplicaPushes
{
    // As a client backs off before retrying; not a wait for a condition.
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    /// <summary>Pushes the blobs, then the manifest under the tag; returns why it gave up, or null.</summary>
    public static async Task<string?> PushAsync(HttpClient client, string repository, TestManifest image, IReadOnlyList<TestBlob> blobs, string tag, TimeSpan bound)
    {
        foreach (var blob in blobs)
        {
            if (await TryAsync(
                async () =>
                {
                    using var start = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
                    if (start.StatusCode != HttpStatusCode.Accepted)
                    {
                        return $"upload start answered {(int)start.StatusCode}";
                    }

                    using var put = await client.PutAsync(WithDigest(start.Headers.Location!.ToString(), blob.Digest), new ByteArrayContent(blob.Bytes));
                    return put.StatusCode == HttpStatusCode.Created ? null : $"blob PUT answered {(int)put.StatusCode}";
                },
                bound) is { } failure)
            {
                return failure;
            }
        }

        return await TryAsync(
            async () =>
            {
                var content = new ByteArrayContent(image.Bytes);
                content.Headers.ContentType = new MediaTypeHeaderValue(image.MediaType);
                using var put = await client.PutAsync($"/v2/{repository}/manifests/{tag}", content);
                return put.StatusCode == HttpStatusCode.Created ? null : $"manifest PUT answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync()}";
            },
            bound);
    }

    /// <summary>Every acknowledged manifest and blob pulls back identical, and verification finds the stores whole.</summary>
    public static async Task AssertAllThereAsync(HttpClient client, string repository, IEnumerable<(string Tag, TestManifest Image, IReadOnlyList<TestBlob> Blobs)> acknowledged)
    {
        foreach (var (tag, image, blobs) in acknowledged)
        {
            using var manifest = await client.GetAsync($"/v2/{repository}/manifests/{tag}");
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK), tag);
            Assert.That(await manifest.Content.ReadAsByteArrayAsync(), Is.EqualTo(image.Bytes), tag);
            foreach (var blob in blobs)
            {
                using var pulled = await client.GetAsync($"/v2/{repository}/blobs/{blob.Digest}");
                Assert.That(pulled.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{tag} {blob.Digest}");
                Assert.That(await pulled.Content.ReadAsByteArrayAsync(), Is.EqualTo(blob.Bytes), $"{tag} {blob.Digest}");
            }
        }

        using var verify = await client.PostAsync("/pulp/api/v2/content/actions/verify/", null);
        var report = await ContentApiClient.ReadAsync(verify, HttpStatusCode.OK);
        Assert.That(report["ok"]!.GetValue<bool>(), Is.True, report.ToJsonString());
    }

    private static async Task<string?> TryAsync(Func<Task<string?>> step, TimeSpan bound)
    {
        // Bounded by time, not by count: refusals come quickly while the balancer still sends to a dead server.
        var deadline = DateTimeOffset.UtcNow + bound;
        string? last = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                if ((last = await step()) is null)
                {
                    return null;
                }
            }
            catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException)
            {
                // A bare SocketException: the peer went as the connection was made (see CrashTests.RunAsync).
                last = e.Message;
            }

            await Task.Delay(RetryPause);
        }

        return $"gave up after {bound.TotalSeconds} s: {last}";
    }
}
