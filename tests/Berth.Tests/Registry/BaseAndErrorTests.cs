using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Registry;

[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
public sealed class BaseAndErrorTests(ServerKind kind) : RegistryFixture(kind)
{
    [TestCase("/v2/")]
    [TestCase("/v2")]
    public async Task Base_Answers200WithTheApiVersionHeader(string path)
    {
        using var response = await Registry.Http.GetAsync(path);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Header(response, "Docker-Distribution-API-Version"), Is.EqualTo("registry/2.0"));
        }
    }

    [Test]
    public async Task UnknownEndpoint_Is404InTheSpecsShape() =>
        await ReadErrorAsync(await Registry.Http.GetAsync("/v2/some/name/nothing/here"), HttpStatusCode.NotFound, "NOT_FOUND");

    [Test]
    public async Task UnsupportedMethod_Is405InTheSpecsShape() =>
        await ReadErrorAsync(await Registry.Http.PostAsync("/v2/some/name/tags/list", null), HttpStatusCode.MethodNotAllowed, "UNSUPPORTED");

    [TestCase("UPPER/case")]
    [TestCase("double//slash")]
    [TestCase("trailing-")]
    [TestCase("-leading")]
    [TestCase("a..b")]
    public async Task InvalidName_IsNameInvalid(string name)
    {
        var error = await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{name}/tags/list"), HttpStatusCode.BadRequest, "NAME_INVALID");
        Assert.That(error["detail"]!.GetValue<string>(), Is.EqualTo(name));
    }

    [Test]
    public async Task TooLongName_IsNameInvalid() =>
        await ReadErrorAsync(await Registry.Http.GetAsync($"/v2/{new string('a', 256)}/tags/list"), HttpStatusCode.BadRequest, "NAME_INVALID");

    [Test]
    public async Task UnknownName_IsNameUnknown()
    {
        await ReadErrorAsync(await Registry.Http.GetAsync("/v2/never/pushed/tags/list"), HttpStatusCode.NotFound, "NAME_UNKNOWN");
        await ReadErrorAsync(await Registry.Http.GetAsync("/v2/never/pushed/manifests/latest"), HttpStatusCode.NotFound, "NAME_UNKNOWN");
    }

    [Test]
    public async Task HeadOfSomethingMissing_Is404WithoutABody()
    {
        using var response = await Registry.SendAsync(HttpMethod.Head, "/v2/never/pushed/manifests/latest");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
        }
    }
}
