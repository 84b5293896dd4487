using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Docker.Common.Digests;
using NUnit.Framework;

namespace Berth.Tests.Support;

/// <summary>The registry API as a test drives it: plain HTTP, with helpers for a push.</summary>
public sealed class RegistryClient(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        configure?.Invoke(request);
        return Http.SendAsync(request);
    }

    /// <summary>Opens an upload session; returns its location.</summary>
    public async Task<string> StartUploadAsync(string name)
    {
        using var response = await Http.PostAsync($"/v2/{name}/blobs/uploads/", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await response.Content.ReadAsStringAsync());
        return response.Headers.Location!.ToString();
    }

    /// <summary>Pushes a blob the way most clients do: POST, then PUT ?digest= with the whole body.</summary>
    public async Task PushBlobAsync(string name, TestBlob blob)
    {
        var location = await StartUploadAsync(name);
        using var response = await Http.PutAsync(WithDigest(location, blob.Digest), new ByteArrayContent(blob.Bytes));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    public async Task<HttpResponseMessage> PutManifestAsync(string name, string reference, byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await Http.PutAsync($"/v2/{name}/manifests/{reference}", content);
    }

    /// <summary>Pushes an image's blobs, then its manifest under the reference (a tag, or its digest when null).</summary>
    public async Task PushImageAsync(string name, TestManifest manifest, string? reference = null)
    {
        foreach (var blob in manifest.Blobs)
        {
            await PushBlobAsync(name, blob);
        }

        using var response = await PutManifestAsync(name, reference ?? manifest.Digest.ToString(), manifest.Bytes, manifest.MediaType);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    public static string WithDigest(string location, Digest digest) =>
        location + (location.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest.ToString());

    /// <summary>Reads the spec's error envelope, checking the status and the code of its first error.</summary>
    public static async Task<JsonObject> ReadErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), text);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), text);
        }

        var error = JsonNode.Parse(text)!["errors"]![0]!.AsObject();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error["code"]!.GetValue<string>(), Is.EqualTo(code), text);
            Assert.That(error["message"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(response.Headers.GetValues("Docker-Distribution-API-Version"), Is.EqualTo(new[] { "registry/2.0" }));
        }

        return error;
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : throw new AssertionException($"the response has no {name} header");
}
