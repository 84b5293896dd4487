using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;
using static Berth.Tests.Support.RegistryClient;

namespace Berth.Tests.Registry;

/// <summary>A server configured not to create repositories on push.</summary>
[TestFixture(ServerKind.InProcess)]
[TestFixture(ServerKind.Process)]
public sealed class NoCreateOnPushTests(ServerKind kind) : RegistryFixture(kind)
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["Berth:CreateRepositoriesOnPush"] = "false" };

    [Test]
    public async Task PushToAnUnknownName_IsNameUnknown_AndCreatesNothing()
    {
        var name = NewName();
        await ReadErrorAsync(await Registry.Http.PostAsync($"/v2/{name}/blobs/uploads/", null), HttpStatusCode.NotFound, "NAME_UNKNOWN");
        Assert.That((await Api.GetJsonAsync("/repositories/")).AsArray().Select(r => r!["registry_name"]?.GetValue<string>()), Does.Not.Contain(name));
    }

    [Test]
    public async Task PushToARepositoryCreatedThroughTheContentApi_Works()
    {
        var id = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(id);
        await Registry.PushImageAsync(id, Support.TestManifest.DockerImage(), "1");
        using var get = await Registry.Http.GetAsync($"/v2/{id}/manifests/1");
        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
