using System.Net;
using System.Text.Json.Nodes;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>Who may do what on the content API.</summary>
public sealed class ContentApiAccessTests : AccessFixture
{
    [Test]
    public async Task Status_IsOpen_AndEverythingElseAsksForCredentials()
    {
        using var anonymous = AnonymousClient();
        using (var status = await anonymous.GetAsync($"{ContentApiClient.Root}/status/"))
        {
            Assert.That(status.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        foreach (var path in new[] { "/repositories/", "/plugins/importers/", "/content/uploads/", "/users/" })
        {
            using var response = await anonymous.GetAsync(ContentApiClient.Root + path);
            await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.Unauthorized, "BRT0401");
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Basic realm="), path);
        }
    }

    [Test]
    public async Task WrongPassword_Is401()
    {
        using var client = Host.CreateAnonymousClient().SignIn("admin", "not-the-password");
        await ContentApiClient.ReadErrorAsync(await client.GetAsync($"{ContentApiClient.Root}/repositories/"), HttpStatusCode.Unauthorized, "BRT0401");
    }

    [Test]
    public async Task AnAuthorizationHeaderThatIsNotCredentials_Is401()
    {
        using var client = Host.CreateAnonymousClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Digest nonsense");
        await ContentApiClient.ReadErrorAsync(await client.GetAsync($"{ContentApiClient.Root}/repositories/"), HttpStatusCode.Unauthorized, "BRT0401");
    }

    [Test]
    public async Task Pull_LetsAUserSeeAndSearch_ButNotImportOrChange()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var reader = await CreateUserAsync((repository, "pull"));
        var api = ApiAs(reader);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await api.GetJsonAsync($"/repositories/{repository}/"))["id"]!.GetValue<string>(), Is.EqualTo(repository));
            Assert.That(await api.SearchUnitsAsync(repository), Is.Empty);
            var listed = (await api.GetJsonAsync("/repositories/")).AsArray();
            Assert.That(listed.Select(r => r!["id"]!.GetValue<string>()), Does.Contain(repository));
            Assert.That(listed.Where(r => r!["id"]!.GetValue<string>() != repository).All(r => r!["anonymous_pull"]!.GetValue<bool>()), Is.True);
        }

        // A user who may push nowhere has nothing to upload; an import is refused before its upload is looked at.
        var blob = TestBlob.Random(10);
        await ContentApiClient.ReadErrorAsync(await api.Http.PostAsync($"{ContentApiClient.Root}/content/uploads/", null), HttpStatusCode.Forbidden, "BRT0403");
        await ContentApiClient.ReadErrorAsync(
            await api.ImportAsync(repository, await Api.UploadAsync(blob.Bytes), "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() }),
            HttpStatusCode.Forbidden,
            "BRT0403");
        await ContentApiClient.ReadErrorAsync(await api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{repository}/"), HttpStatusCode.Forbidden, "BRT0403");
        await ContentApiClient.ReadErrorAsync(
            await api.PostJsonAsync($"/repositories/{repository}/importers/", new JsonObject { ["importer_type_id"] = "docker_blob_importer" }), HttpStatusCode.Forbidden, "BRT0403");
    }

    [Test]
    public async Task WithoutAnyGrant_ARepositoryAnswersAsOneThatDoesNotExist_AndIsNotListed()
    {
        var repository = NewRepositoryId();
        await Api.CreateRepositoryAsync(repository);
        var stranger = await CreateUserAsync(("elsewhere/*", "pull,push,delete,admin"));
        var api = ApiAs(stranger);
        var missing = repository + "-missing";
        foreach (var (method, path, body) in new (string, string, string?)[]
        {
            ("GET", "/repositories/{0}/", null),
            ("PUT", "/repositories/{0}/", """{"delta": {"display_name": "x"}}"""),
            ("DELETE", "/repositories/{0}/", null),
            ("GET", "/repositories/{0}/importers/", null),
            ("POST", "/repositories/{0}/search/units/", """{"criteria": {}}"""),
            ("POST", "/repositories/{0}/actions/import_upload/", """{"upload_id": null, "unit_type_id": "docker_tag", "unit_key": {}, "unit_metadata": {}}"""),
            ("GET", "/repositories/{0}/retention/", null),
            ("GET", "/repositories/{0}/tags/latest/history/", null),
        })
        {
            // The same answer for a repository outside the caller's grants as for one that does not exist: no oracle.
            var answers = new List<string>();
            foreach (var id in new[] { repository, missing })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), ContentApiClient.Root + string.Format(System.Globalization.CultureInfo.InvariantCulture, path, id));
                if (body is not null)
                {
                    request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                }

                using var response = await api.Http.SendAsync(request);
                var error = await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.NotFound, "PLP0009");
                answers.Add(error["error_message"]!.GetValue<string>().Replace(id, "ID", StringComparison.Ordinal));
            }

            Assert.That(answers[0], Is.EqualTo(answers[1]), $"{method} {path}");
        }

        using (var anonymous = await AnonymousClient().GetAsync($"{ContentApiClient.Root}/repositories/{repository}/"))
        {
            await ContentApiClient.ReadErrorAsync(anonymous, HttpStatusCode.Unauthorized, "BRT0401");
        }

        Assert.That((await api.GetJsonAsync("/repositories/")).AsArray().Select(r => r!["id"]!.GetValue<string>()), Does.Not.Contain(repository));
        Assert.That((await api.GetJsonAsync("/repositories/search/")).AsArray().Select(r => r!["id"]!.GetValue<string>()), Does.Not.Contain(repository), "nor searched");
        using var searched = await api.PostJsonAsync("/repositories/search/", "{\"criteria\": {\"filters\": {\"id\": \"" + repository + "\"}}}");
        Assert.That((await ContentApiClient.ReadAsync(searched, HttpStatusCode.OK)).AsArray(), Is.Empty, "nor found by its id");
    }

    [Test]
    public async Task Push_LetsAUserImport()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var writer = await CreateUserAsync((repository, "pull,push"));
        await ApiAs(writer).ImportImageAsync(repository, TestManifest.DockerImage(), tag: "v1");
        Assert.That(await Api.SearchUnitsAsync(repository, "docker_tag"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task AdminOnAPattern_LetsAUserCreateAndManageMatchingRepositoriesOnly()
    {
        var prefix = NewRepositoryId();
        var owner = await CreateUserAsync(($"{prefix}-*", "admin,pull,push"));
        var api = ApiAs(owner);
        await api.CreateDockerRepositoryAsync($"{prefix}-mine");
        await ContentApiClient.ReadErrorAsync(await api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = $"other-{prefix}" }), HttpStatusCode.Forbidden, "BRT0403");
        await ContentApiClient.ReadErrorAsync(
            await api.Http.PutAsync($"{ContentApiClient.Root}/repositories/{prefix}-mine/", new StringContent("""{"delta": {"registry_name": "not/theirs"}}""")),
            HttpStatusCode.Forbidden,
            "BRT0403");
        using var deleted = await api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{prefix}-mine/");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
    }

    [Test]
    public async Task Uploads_AreTheirOwnersOnly()
    {
        var (alice, bob) = (await CreateUserAsync(("uploads/*", "push")), await CreateUserAsync(("uploads/*", "push")));
        var upload = await ApiAs(alice).UploadAsync([1, 2, 3]);
        var bobApi = ApiAs(bob);
        await ContentApiClient.ReadErrorAsync(await bobApi.Http.GetAsync($"{ContentApiClient.Root}/content/uploads/{upload}/"), HttpStatusCode.NotFound, "PLP0009");
        await ContentApiClient.ReadErrorAsync(await bobApi.PutSegmentAsync(upload, 3, new byte[] { 4 }), HttpStatusCode.NotFound, "PLP0009");
        await ContentApiClient.ReadErrorAsync(await bobApi.Http.DeleteAsync($"{ContentApiClient.Root}/content/uploads/{upload}/"), HttpStatusCode.NotFound, "PLP0009");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await bobApi.GetJsonAsync("/content/uploads/"))["upload_ids"]!.AsArray(), Is.Empty);
            Assert.That((await ApiAs(alice).GetJsonAsync("/content/uploads/"))["upload_ids"]!.AsArray().Select(u => u!.GetValue<string>()), Is.EqualTo(new[] { upload }));
            Assert.That((await Api.GetJsonAsync($"/content/uploads/{upload}/"))["size"]!.GetValue<long>(), Is.EqualTo(3), "an administrator sees every upload");
        }
    }

    [Test]
    public async Task AnotherUsersUpload_CannotBeImported()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var (alice, bob) = (await CreateUserAsync((repository, "push")), await CreateUserAsync((repository, "push")));
        var blob = TestBlob.Random(10);
        var upload = await ApiAs(alice).UploadAsync(blob.Bytes);
        await ContentApiClient.ReadErrorAsync(
            await ApiAs(bob).ImportAsync(repository, upload, "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() }), HttpStatusCode.NotFound, "PLP0009");
    }

    [Test]
    public async Task ATokensScope_NarrowsItsUser()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var writer = await CreateUserAsync((repository, "pull,push"));
        var readOnly = await CreateTokenAsync(
            writer,
            new JsonObject { ["name"] = "read", ["scope"] = JsonNode.Parse($$"""[{"pattern": "{{repository}}", "actions": ["pull"]}]""") },
            asLogin: writer);
        var api = ApiAs(writer, readOnly);
        var blob = TestBlob.Random(5);
        Assert.That(await api.SearchUnitsAsync(repository), Is.Empty);
        await ContentApiClient.ReadErrorAsync(await api.Http.PostAsync($"{ContentApiClient.Root}/content/uploads/", null), HttpStatusCode.Forbidden, "BRT0403");
        await ContentApiClient.ReadErrorAsync(
            await api.ImportAsync(repository, await Api.UploadAsync(blob.Bytes), "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() }),
            HttpStatusCode.Forbidden,
            "BRT0403");
    }

    [Test]
    public async Task ATokenScope_CannotWidenItsUser()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        var reader = await CreateUserAsync((repository, "pull"));
        var greedy = await CreateTokenAsync(reader, new JsonObject { ["name"] = "greedy", ["scope"] = JsonNode.Parse("""[{"pattern": "*", "actions": ["*"]}]""") }, asLogin: reader);
        var api = ApiAs(reader, greedy);
        var blob = TestBlob.Random(5);
        await ContentApiClient.ReadErrorAsync(await api.Http.PostAsync($"{ContentApiClient.Root}/content/uploads/", null), HttpStatusCode.Forbidden, "BRT0403");
        await ContentApiClient.ReadErrorAsync(
            await api.ImportAsync(repository, await Api.UploadAsync(blob.Bytes), "docker_blob", new JsonObject { ["digest"] = blob.Digest.ToString() }),
            HttpStatusCode.Forbidden,
            "BRT0403");
        await ContentApiClient.ReadErrorAsync(await api.Http.GetAsync($"{ContentApiClient.Root}/users/"), HttpStatusCode.Forbidden, "BRT0403");
    }

    [Test]
    public async Task AnonymousPull_OpensTheRepositoryToReadingOnly()
    {
        var repository = NewRepositoryId();
        using (var created = await Api.PostJsonAsync("/repositories/", new JsonObject { ["id"] = repository, ["anonymous_pull"] = true }))
        {
            Assert.That((await ContentApiClient.ReadAsync(created, HttpStatusCode.Created))["anonymous_pull"]!.GetValue<bool>(), Is.True);
        }

        var anonymous = new ContentApiClient(AnonymousClient());
        Assert.That((await anonymous.GetJsonAsync($"/repositories/{repository}/"))["id"]!.GetValue<string>(), Is.EqualTo(repository));
        await ContentApiClient.ReadErrorAsync(await anonymous.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{repository}/"), HttpStatusCode.Unauthorized, "BRT0401");
    }

    [Test]
    public async Task RepositoryChangesAndImports_AreAudited()
    {
        var repository = NewRepositoryId();
        await Api.CreateDockerRepositoryAsync(repository);
        await Api.ImportBlobAsync(repository, TestBlob.Random(3));
        using (var deleted = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{repository}/"))
        {
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        await Host.AssertAuditedAsync(
            ["action=repository.create", $"target={repository}"],
            ["action=importer.register", $"target={repository}/docker_blob_importer"],
            ["action=import", $"target={repository}/docker_blob/"],
            ["action=repository.delete", $"target={repository}", "user=admin"]);
    }
}
