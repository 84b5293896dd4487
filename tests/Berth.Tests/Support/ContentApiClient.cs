using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Berth.Tests.Support;

/// <summary>The content API as a test drives it: plain HTTP, with helpers for the common steps.</summary>
public sealed class ContentApiClient(HttpClient http)
{
    public const string Root = "/pulp/api/v2";

    public HttpClient Http { get; } = http;

    public async Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        await Http.PostAsync(Root + path, new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> PostJsonAsync(string path, JsonNode json) => PostJsonAsync(path, json.ToJsonString());

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(Root + path);
        return await ReadAsync(response, HttpStatusCode.OK);
    }

    public async Task CreateRepositoryAsync(string id, params string[] importerTypeIds)
    {
        using (var response = await PostJsonAsync("/repositories/", new JsonObject { ["id"] = id }))
        {
            await ReadAsync(response, HttpStatusCode.Created);
        }

        foreach (var importer in importerTypeIds)
        {
            using var response = await PostJsonAsync($"/repositories/{id}/importers/", new JsonObject { ["importer_type_id"] = importer });
            await ReadAsync(response, HttpStatusCode.Created);
        }
    }

    /// <summary>
    /// Every orphan, as a Pulp 2 client finds them: the summary by type, then the list of each type that has some (both
    /// read, and checked for their shape, here).
    /// </summary>
    public async Task<JsonArray> OrphansAsync()
    {
        var orphans = new JsonArray();
        foreach (var (type, summary) in (await GetJsonAsync("/content/orphans/")).AsObject())
        {
            if (summary!["_href"]!.GetValue<string>() != $"{Root}/content/orphans/{type}/")
            {
                throw new InvalidOperationException($"the orphans of {type} are listed at {summary["_href"]}");
            }

            var listed = (await GetJsonAsync($"/content/orphans/{type}/")).AsArray();
            if (listed.Count != summary["count"]!.GetValue<long>())
            {
                throw new InvalidOperationException($"{summary["count"]} orphans of {type} counted, {listed.Count} listed");
            }

            foreach (var orphan in listed)
            {
                orphans.Add(orphan!.DeepClone());
            }
        }

        return orphans;
    }

    /// <summary>Creates a repository with both docker importers registered.</summary>
    public Task CreateDockerRepositoryAsync(string id) => CreateRepositoryAsync(id, "docker_blob_importer", "docker_manifest_importer");

    public async Task<string> CreateUploadAsync()
    {
        using var response = await Http.PostAsync(Root + "/content/uploads/", null);
        return (await ReadAsync(response, HttpStatusCode.Created))["upload_id"]!.GetValue<string>();
    }

    public async Task<HttpResponseMessage> PutSegmentAsync(string uploadId, long offset, ReadOnlyMemory<byte> bytes) =>
        await Http.PutAsync($"{Root}/content/uploads/{uploadId}/{offset}/", new ReadOnlyMemoryContent(bytes));

    /// <summary>Creates an upload and sends the bytes in segments of the given size.</summary>
    public async Task<string> UploadAsync(byte[] bytes, int segmentSize = int.MaxValue)
    {
        var uploadId = await CreateUploadAsync();
        for (var offset = 0; offset < bytes.Length || offset == 0; offset += segmentSize)
        {
            var length = Math.Min(segmentSize, bytes.Length - offset);
            using var response = await PutSegmentAsync(uploadId, offset, bytes.AsMemory(offset, length));
            await ReadAsync(response, HttpStatusCode.OK);
            if (bytes.Length == 0)
            {
                break;
            }
        }

        return uploadId;
    }

    public Task<HttpResponseMessage> ImportAsync(
        string repository, string? uploadId, string unitTypeId, JsonObject? unitKey, JsonObject? unitMetadata = null, JsonObject? overrideConfig = null)
    {
        var body = new JsonObject
        {
            ["upload_id"] = uploadId,
            ["unit_type_id"] = unitTypeId,
            ["unit_key"] = unitKey,
        };
        if (unitMetadata is not null)
        {
            body["unit_metadata"] = unitMetadata;
        }

        if (overrideConfig is not null)
        {
            body["override_config"] = overrideConfig;
        }

        return PostJsonAsync($"/repositories/{repository}/actions/import_upload/", body);
    }

    /// <summary>Uploads and imports a blob, asserting success; returns the unit.</summary>
    public async Task<JsonNode> ImportBlobAsync(string repository, TestBlob blob)
    {
        var uploadId = await UploadAsync(blob.Bytes);
        using var response = await ImportAsync(repository, uploadId, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() });
        return (await ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
    }

    /// <summary>Uploads and imports a manifest or list (as its type says), asserting success; returns the unit.</summary>
    public async Task<JsonNode> ImportManifestAsync(string repository, TestManifest manifest, string? tag = null)
    {
        var uploadId = await UploadAsync(manifest.Bytes);
        var type = manifest.MediaType.Contains("list", StringComparison.Ordinal) || manifest.MediaType.Contains("index", StringComparison.Ordinal)
            ? "docker_manifest_list"
            : "docker_manifest";
        using var response = await ImportAsync(
            repository,
            uploadId,
            type,
            new JsonObject { ["digest"] = manifest.Digest.ToString() },
            tag is null ? null : new JsonObject { ["tag"] = tag });
        return (await ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
    }

    /// <summary>Imports an image's blobs, then the image.</summary>
    public async Task<JsonNode> ImportImageAsync(string repository, TestManifest manifest, string? tag = null)
    {
        foreach (var blob in manifest.Blobs)
        {
            await ImportBlobAsync(repository, blob);
        }

        return await ImportManifestAsync(repository, manifest, tag);
    }

    /// <summary>Takes every docker unit out of the repository: what only it held becomes an orphan.</summary>
    public async Task UnassociateAllAsync(string repository)
    {
        using var response = await PostJsonAsync($"/repositories/{repository}/actions/unassociate/", new JsonObject
        {
            ["criteria"] = new JsonObject { ["type_ids"] = new JsonArray("docker_blob", "docker_manifest", "docker_tag") },
        });
        await ReadAsync(response, HttpStatusCode.Accepted);
    }

    public async Task<JsonArray> SearchUnitsAsync(string repository, params string[] typeIds)
    {
        var criteria = new JsonObject();
        if (typeIds.Length > 0)
        {
            criteria["type_ids"] = new JsonArray([.. typeIds.Select(t => JsonValue.Create(t))]);
        }

        using var response = await PostJsonAsync($"/repositories/{repository}/search/units/", new JsonObject { ["criteria"] = criteria });
        return (await ReadAsync(response, HttpStatusCode.OK)).AsArray();
    }

    /// <summary>Reads a JSON body after checking the status; a failure shows the body, which says why.</summary>
    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {text}");
        return JsonNode.Parse(text) ?? JsonValue.Create((string?)null)!;
    }

    /// <summary>Reads a Pulp-shaped error, checking its status, code and that its message mentions each given text.</summary>
    public static async Task<JsonObject> ReadErrorAsync(HttpResponseMessage response, HttpStatusCode expected, string? code = null, params string[] mentions)
    {
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var error = (await ReadAsync(response, expected)).AsObject();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error["http_status"]!.GetValue<int>(), Is.EqualTo((int)expected));
            Assert.That(error["error"]?["code"], Is.Not.Null, error.ToJsonString());
            Assert.That(error["error_message"]!.GetValue<string>(), Is.Not.Empty);
            if (code is not null)
            {
                Assert.That(error["error"]!["code"]!.GetValue<string>(), Is.EqualTo(code), error.ToJsonString());
            }

            foreach (var mention in mentions)
            {
                Assert.That(error["error_message"]!.GetValue<string>(), Does.Contain(mention), error.ToJsonString());
            }
        }

        return error;
    }
}
