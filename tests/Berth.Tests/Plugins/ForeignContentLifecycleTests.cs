using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Server.Storage.LiteDb;
using Berth.Tests.Access;
using Berth.Tests.Support;
using LiteDB;
using Npgsql;
using NUnit.Framework;

namespace Berth.Tests.Plugins;

/// <summary>
/// A content type of a test-only plugin (bundles that need parts and other bundles, labels that name bundles, bundles
/// about other bundles) goes through the whole lifecycle with no server code of its own: what a unit needs is what
/// its importer declared, and the server keeps repositories whole by that alone.
/// </summary>
[TestFixture(StorageBackend.Default)]
[TestFixture(StorageBackend.PostgreSql)]
public sealed class ForeignContentLifecycleTests(StorageBackend backend) : AccessFixture(ServerKind.Process, backend)
{
    private const string Part = "test_part";
    private const string Bundle = "test_bundle";
    private const string Label = "test_label";

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["Berth:Lifecycle:OrphanGracePeriod"] = "00:00:00",
    };

    protected override string? PluginsConfDir(TempFolder folder) => TestPluginConf.WithTestImporter(folder, "bundle_importer");

    [Test]
    public async Task ABundleWithoutItsParts_IsRefusedByTheServer_AndLeavesNothingInTheRepository()
    {
        var repository = await RepositoryAsync();
        var part = await ImportPartAsync(repository);
        var absent = Digest(RandomNumberGenerator.GetBytes(32));

        var (bytes, digest) = BundleDocument([part, absent]);
        using var response = await Api.ImportAsync(repository, await Api.UploadAsync(bytes), Bundle, new JsonObject { ["digest"] = digest });
        var error = await ContentApiClient.ReadErrorAsync(response, HttpStatusCode.BadRequest, null, absent);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error["error"]!["data"]!["missing"]!.AsArray().Select(m => m!.GetValue<string>()), Is.EqualTo(new[] { $"{Part} {absent}" }));
            Assert.That(await Api.SearchUnitsAsync(repository, Bundle), Is.Empty);
        }
    }

    [Test]
    public async Task AnImportRefusedHalfWay_LeavesNothingStored_NotEvenWhatItSavedBeforeTheRefusal()
    {
        // Both importers save their unit, and the label's move is recorded, before the server refuses to add what lacks
        // what it needs: an import is one unit of work, so none of it may remain.
        var repository = await RepositoryAsync();
        var absent = Digest(RandomNumberGenerator.GetBytes(32));
        var (bytes, digest) = BundleDocument([absent]);
        using (var refused = await Api.ImportAsync(repository, await Api.UploadAsync(bytes), Bundle, new JsonObject { ["digest"] = digest }))
        {
            await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, null, absent);
        }

        using (var refused = await Api.ImportAsync(repository, null, Label, new JsonObject { ["label"] = "stable" }, new JsonObject { ["target"] = absent }))
        {
            await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, null, absent);
        }

        var orphans = await Api.OrphansAsync();
        using var history = await Api.Http.GetAsync($"{ContentApiClient.Root}/repositories/{repository}/tags/stable/history/");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Api.SearchUnitsAsync(repository), Is.Empty);
            Assert.That(
                orphans.Select(o => o!["unit_key"]!.ToJsonString()),
                Has.None.Contain(digest).And.None.Contain(repository),
                "a unit saved by a refused import");
            Assert.That((await ContentApiClient.ReadAsync(history, HttpStatusCode.OK)).AsArray(), Is.Empty, "a move recorded by a refused import");
        }
    }

    [Test]
    public async Task Promotion_BringsWhatALabelNeeds_AndWithReferrersWhatIsAboutIt()
    {
        var (source, destination) = (await RepositoryAsync(), await RepositoryAsync());
        var inner = await ImportBundleAsync(source, [await ImportPartAsync(source)]);
        var outer = await ImportBundleAsync(source, [await ImportPartAsync(source)], bundles: [inner]);
        await LabelAsync(source, "stable", outer);
        var note = await ImportBundleAsync(source, [await ImportPartAsync(source)], about: outer);
        var unrelated = await ImportPartAsync(source);

        var promoted = await PromoteAsync(destination, source, Label, new JsonObject { ["label"] = "stable" }, referrers: true);

        var held = await HeldAsync(destination);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(held[Bundle], Is.EquivalentTo(new[] { inner, outer, note }));
            Assert.That(held[Part], Has.Count.EqualTo(3).And.No.Member(unrelated));
            Assert.That(held[Label], Is.EqualTo(new[] { "stable" }));
            Assert.That(promoted, Has.Count.EqualTo(7));
        }
    }

    [Test]
    public async Task RemovalOfWhatABundleNeeds_IsRefused_NamingIt_AndTheBundleTakesItsLabelAlong()
    {
        var repository = await RepositoryAsync();
        var part = await ImportPartAsync(repository);
        var bundle = await ImportBundleAsync(repository, [part]);
        await LabelAsync(repository, "v1", bundle);

        using (var refused = await UnassociateAsync(repository, Part, new JsonObject { ["digest"] = part }))
        {
            var error = await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, "PLP0015", part, bundle);
            Assert.That(error["error"]!["data"]!["still_needed"]!.AsArray().Single()!.GetValue<string>(), Is.EqualTo($"{Part} {part} is needed by {Bundle} {bundle}"));
        }

        using (var removed = await UnassociateAsync(repository, Bundle, new JsonObject { ["digest"] = bundle }))
        {
            await ContentApiClient.ReadAsync(removed, HttpStatusCode.Accepted);
        }

        var held = await HeldAsync(repository);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(held[Bundle], Is.Empty);
            Assert.That(held[Label], Is.Empty, "a label goes with what it names");
            Assert.That(held[Part], Is.EqualTo(new[] { part }));
        }

        var history = (await Api.GetJsonAsync($"/repositories/{repository}/tags/v1/history/")).AsArray();
        Assert.That(history.Select(m => (m!["old_digest"]?.GetValue<string>(), m["new_digest"]?.GetValue<string>())), Is.EqualTo(new[] { (bundle, (string?)null), (null, bundle) }));
    }

    [Test]
    public async Task Retention_KeepsTheLabelledBundle_AndDropsTheOtherWithWhatOnlyItNeeded()
    {
        var repository = await RepositoryAsync();
        var shared = await ImportPartAsync(repository);
        var (oldOnly, newOnly) = (await ImportPartAsync(repository), await ImportPartAsync(repository));
        var older = await ImportBundleAsync(repository, [shared, oldOnly]);
        await LabelAsync(repository, "build-1", older);
        var newer = await ImportBundleAsync(repository, [shared, newOnly]);
        await LabelAsync(repository, "build-2", newer);
        var aboutOlder = await ImportBundleAsync(repository, [], about: older);
        using (var policy = await Api.Http.PutAsync(
            $"{ContentApiClient.Root}/repositories/{repository}/retention/",
            Json(new JsonObject { ["tags"] = new JsonArray(new JsonObject { ["pattern"] = "build-*", ["keep"] = 1 }) })))
        {
            await ContentApiClient.ReadAsync(policy, HttpStatusCode.OK);
        }

        using var applied = await Api.PostJsonAsync($"/repositories/{repository}/actions/apply_retention/", new JsonObject());
        var removed = (await ContentApiClient.ReadAsync(applied, HttpStatusCode.OK))["result"]!["units_removed"]!.AsArray()
            .Select(u => $"{u!["unit_type_id"]} {u["unit_key"]!["digest"]?.GetValue<string>() ?? u["unit_key"]!["label"]!.GetValue<string>()}");

        var held = await HeldAsync(repository);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed, Is.EquivalentTo(new[] { $"{Label} build-1", $"{Bundle} {older}", $"{Bundle} {aboutOlder}", $"{Part} {oldOnly}" }));
            Assert.That(held[Bundle], Is.EqualTo(new[] { newer }));
            Assert.That(held[Part], Is.EquivalentTo(new[] { shared, newOnly }));
            Assert.That(held[Label], Is.EqualTo(new[] { "build-2" }));
        }
    }

    [Test]
    public async Task OrphanCollection_KeepsWhatAnyRepositoryHolds_AndCollectsItOnceNoneDoes()
    {
        var (first, second) = (await RepositoryAsync(), await RepositoryAsync());
        var part = await ImportPartAsync(first);
        var bundle = await ImportBundleAsync(first, [part]);
        await LabelAsync(first, "keep", bundle);
        await PromoteAsync(second, first, Label, new JsonObject { ["label"] = "keep" });
        await DeleteRepositoryAsync(first);

        await CollectAsync();
        Assert.That(await IsStoredAsync(part) && await IsStoredAsync(bundle), Is.True, "collected while the second repository holds them");

        await DeleteRepositoryAsync(second);
        var report = await CollectAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report["units_removed"]![Bundle]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(report["units_removed"]![Part]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(await IsStoredAsync(part) || await IsStoredAsync(bundle), Is.False);
        }
    }

    [Test]
    public async Task Verification_NamesABundleWhoseRepositoryLostAPart_AndReferencesAreRebuiltForUnitsStoredWithout()
    {
        var repository = await RepositoryAsync();
        var (kept, lost) = (await ImportPartAsync(repository), await ImportPartAsync(repository));
        var bundle = await ImportBundleAsync(repository, [kept, lost]);
        Assert.That((await VerifyAsync())["ok"]!.GetValue<bool>(), Is.True);

        // As a data folder restored badly, or written before references were stored: the part's association is gone,
        // and no unit has its references.
        await RestartAsync(dataDir =>
        {
            if (MetadataConnectionString is { } postgreSql)
            {
                using var connection = new NpgsqlConnection(postgreSql);
                connection.Open();
                using var damage = new NpgsqlCommand(
                    """
                    DELETE FROM associations WHERE repo_id = @repository AND unit_id = (SELECT id FROM units WHERE type_id = @type AND unit_key = @key);
                    UPDATE units SET unit_references = NULL;
                    DELETE FROM marks WHERE name = 'unit_references_recorded';
                    """,
                    connection);
                damage.Parameters.AddWithValue("repository", repository);
                damage.Parameters.AddWithValue("type", Part);
                damage.Parameters.AddWithValue("key", $"digest={lost}");
                damage.ExecuteNonQuery();
                return;
            }

            using var database = new LiteDatabase(new ConnectionString { Filename = Path.Combine(dataDir, "berth.db"), Connection = ConnectionType.Direct });
            var units = database.GetCollection(LiteDbDatabase.Units);
            var lostId = units.FindOne(Query.EQ("natural_key", $"{Part}\ndigest={lost}"))["_id"].AsString;
            database.GetCollection(LiteDbDatabase.Associations).Delete($"{repository}\n{lostId}");
            foreach (var unit in units.FindAll().ToList())
            {
                unit.Remove("references");
                units.Update(unit);
            }

            database.GetCollection(LiteDbDatabase.Marks).Delete(LiteDbUnitStore.ReferencesRecordedMark);
        });

        var problems = (await VerifyAsync())["problems"]!.AsArray().Select(p => $"{p!["kind"]} {p["subject"]}: {p["detail"]}");
        Assert.That(problems, Has.Member($"incomplete {repository} {Bundle} {bundle}: needs {Part} {lost}, which the repository does not hold"));

        using var refused = await UnassociateAsync(repository, Part, new JsonObject { ["digest"] = kept });
        await ContentApiClient.ReadErrorAsync(refused, HttpStatusCode.BadRequest, "PLP0015", bundle);
    }

    private async Task<string> RepositoryAsync()
    {
        var id = NewRepositoryId();
        await Api.CreateRepositoryAsync(id, "bundle_importer");
        return id;
    }

    private async Task<string> ImportPartAsync(string repository)
    {
        var bytes = RandomNumberGenerator.GetBytes(64);
        var digest = Digest(bytes);
        using var response = await Api.ImportAsync(repository, await Api.UploadAsync(bytes), Part, new JsonObject { ["digest"] = digest });
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        return digest;
    }

    private async Task<string> ImportBundleAsync(string repository, string[] parts, string[]? bundles = null, string? about = null)
    {
        var (bytes, digest) = BundleDocument(parts, bundles, about);
        using var response = await Api.ImportAsync(repository, await Api.UploadAsync(bytes), Bundle, new JsonObject { ["digest"] = digest });
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
        return digest;
    }

    private async Task LabelAsync(string repository, string label, string bundle)
    {
        using var response = await Api.ImportAsync(repository, null, Label, new JsonObject { ["label"] = label }, new JsonObject { ["target"] = bundle });
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
    }

    private async Task<JsonArray> PromoteAsync(string destination, string source, string typeId, JsonObject filter, bool referrers = false)
    {
        var body = new JsonObject
        {
            ["source_repo_id"] = source,
            ["criteria"] = new JsonObject { ["type_ids"] = new JsonArray(typeId), ["filters"] = new JsonObject { ["unit"] = filter } },
            ["override_config"] = new JsonObject { ["referrers"] = referrers },
        };
        using var response = await Api.PostJsonAsync($"/repositories/{destination}/actions/associate/", body);
        return (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!["units_successful"]!.AsArray();
    }

    private Task<HttpResponseMessage> UnassociateAsync(string repository, string typeId, JsonObject filter) =>
        Api.PostJsonAsync($"/repositories/{repository}/actions/unassociate/", new JsonObject
        {
            ["criteria"] = new JsonObject { ["type_ids"] = new JsonArray(typeId), ["filters"] = new JsonObject { ["unit"] = filter } },
        });

    /// <summary>What the repository holds, by type: digests, or a label's names.</summary>
    private async Task<Dictionary<string, List<string>>> HeldAsync(string repository)
    {
        var held = new Dictionary<string, List<string>> { [Part] = [], [Bundle] = [], [Label] = [] };
        foreach (var unit in await Api.SearchUnitsAsync(repository))
        {
            var key = unit!["unit_key"]!;
            held[unit["unit_type_id"]!.GetValue<string>()].Add((key["digest"] ?? key["label"])!.GetValue<string>());
        }

        return held;
    }

    private async Task DeleteRepositoryAsync(string repository)
    {
        using var response = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/repositories/{repository}/");
        await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted);
    }

    private async Task<JsonNode> CollectAsync()
    {
        using var response = await Api.Http.DeleteAsync($"{ContentApiClient.Root}/content/orphans/");
        return (await ContentApiClient.ReadAsync(response, HttpStatusCode.Accepted))["result"]!;
    }

    private async Task<JsonNode> VerifyAsync()
    {
        using var response = await Api.Http.PostAsync($"{ContentApiClient.Root}/content/actions/verify/", null);
        return await ContentApiClient.ReadAsync(response, HttpStatusCode.OK);
    }

    private static (byte[] Bytes, string Digest) BundleDocument(string[] parts, string[]? bundles = null, string? about = null)
    {
        var document = new JsonObject
        {
            ["parts"] = new JsonArray([.. parts.Select(p => JsonValue.Create(p))]),
            ["bundles"] = new JsonArray([.. (bundles ?? []).Select(b => JsonValue.Create(b))]),
            ["nonce"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)),
        };
        if (about is not null)
        {
            document["about"] = about;
        }

        var bytes = Encoding.UTF8.GetBytes(document.ToJsonString());
        return (bytes, Digest(bytes));
    }

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");
}
