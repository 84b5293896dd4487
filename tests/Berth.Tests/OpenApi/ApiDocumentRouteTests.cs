using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Berth.Tests.OpenApi;

/// <summary>
/// The OpenAPI document names exactly the routes the server maps (but the registry API, which the OCI spec describes,
/// the Prometheus scrape, and the test-only endpoints): the server's own endpoint list, read in-process, against the document it serves.
/// </summary>
[NonParallelizable]
public sealed class ApiDocumentRouteTests : FolderPerTest
{
    [Test]
    public async Task EveryMappedRoute_IsInTheDocument_AndTheDocumentNamesNoOther()
    {
        // The test-only endpoints are mapped too, to show that they stay out of the document.
        await using var factory = new BerthApiFactory(
            Folder.Combine("data"),
            settings: new Dictionary<string, string> { ["Berth:Testing:ManualClock"] = "true", ["Berth:Testing:HoldableFlushes"] = "true" });
        using var anonymous = factory.CreateClient();
        using var response = await anonymous.GetAsync(ApiContract.DocumentPath);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the document is open to anyone");
        var contract = new ApiContract(JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());

        var mapped = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => new Operation(m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .ToList();
        Assert.That(mapped.Where(o => o.Path.StartsWith("/pulp/api/v2/testing/", StringComparison.Ordinal)), Is.Not.Empty, "the test-only endpoints are mapped here");
        var described = mapped.Where(o => !IsUndescribed(o.Path)).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(contract.Document["openapi"]!.GetValue<string>(), Does.StartWith("3.1."));
            Assert.That(described.Except(contract.Operations), Is.Empty, "routes the server maps that the document does not name");
            Assert.That(contract.Operations.Except(described), Is.Empty, "operations the document names that the server does not map");
            Assert.That(contract.Paths.Where(IsUndescribed), Is.Empty, "the registry API and the test-only endpoints are not described");
        }
    }

    [TestCase("application/xml")]
    [TestCase("text/html, */*;q=0")]
    [TestCase("application/json;;;==")]
    public async Task TheDocument_IsJson_WhateverTheClientAccepts(string accept)
    {
        await using var factory = new BerthApiFactory(Folder.Combine("data"));
        using var anonymous = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, ApiContract.DocumentPath);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await anonymous.SendAsync(request);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"], Is.Not.Null);
        }
    }

    // The registry API (one catch-all route; the OCI distribution spec describes it), the Prometheus scrape (the
    // exposition format describes it, at its default path), the test-only endpoints, and the document itself.
    private static bool IsUndescribed(string path) =>
        path.StartsWith("/v2/", StringComparison.Ordinal) ||
        path.StartsWith("/pulp/api/v2/testing/", StringComparison.Ordinal) ||
        path == "/metrics" ||

        // The web UI's pages are HTML for people, not an API.
        path == "/ui" || path.StartsWith("/ui/", StringComparison.Ordinal) ||
        path == ApiContract.DocumentPath;
}
