using System.Text.Json.Nodes;
using Berth.Server.Repositories;
using Berth.Server.Units;
using NUnit.Framework;

namespace Berth.Tests.Storage;

/// <summary>
/// Pulp 2's search criteria, executed by the store: the same criteria must choose and order the same units on every
/// backend (the embedded store tests documents, PostgreSQL runs SQL), over metadata with strings, numbers, booleans,
/// nulls, nested objects and arrays.
/// </summary>
public abstract partial class MetadataStoreContract
{
    private DateTimeOffset _criteriaStart;

    private static readonly Dictionary<string, JsonObject> CriteriaUnits = new()
    {
        ["a"] = new() { ["name"] = "v1", ["size"] = 10, ["flag"] = true, ["note"] = null, ["layers"] = new JsonArray(new JsonObject { ["digest"] = "d1" }, new JsonObject { ["digest"] = "d2" }), ["tags"] = new JsonArray("x", "y") },
        ["b"] = new() { ["name"] = "v2", ["size"] = 20, ["flag"] = false, ["layers"] = new JsonArray(new JsonObject { ["digest"] = "d2" }), ["tags"] = new JsonArray("y") },
        ["c"] = new() { ["name"] = "V10", ["size"] = 2.5, ["layers"] = new JsonArray(), ["nested"] = new JsonObject { ["deep"] = new JsonObject { ["value"] = "z" } } },
        ["d"] = new() { ["name"] = "w1", ["size"] = "30", ["flag"] = true },
        ["e"] = new() { ["name"] = 5, ["extra"] = new JsonObject { ["a"] = 1 } },
    };

    private async Task<(Repository Repository, Dictionary<string, string> Ids)> CriteriaRepositoryAsync()
    {
        var repository = await CreateAsync("criteria");
        _criteriaStart = Clock.GetUtcNow();
        var ids = new Dictionary<string, string>();
        foreach (var (letter, metadata) in CriteriaUnits)
        {
            var unit = await SaveAsync(Blob(letter, 1) with { TypeId = letter is "d" or "e" ? "docker_blob" : "docker_manifest", Metadata = (JsonObject)metadata.DeepClone() }, None);
            await AssociateAsync(repository.Id, unit, None);
            ids[letter] = unit.Id!;
            Clock.Advance(TimeSpan.FromMinutes(1));
        }

        return (repository, ids);
    }

    private async Task<string> ChosenAsync(Repository repository, Dictionary<string, string> ids, string criteria)
    {
        // START+N: N minutes after the first unit was associated (the units are a minute apart).
        criteria = System.Text.RegularExpressions.Regex.Replace(
            criteria, @"START\+(\d)", m => _criteriaStart.AddMinutes(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToString("o", System.Globalization.CultureInfo.InvariantCulture));
        var search = UnitSearch.Read(JsonNode.Parse(criteria)!.AsObject());
        var found = await Units.SearchAsync(repository.Id, search.Criteria, None);
        return string.Concat(found.Select(member => ids.Single(id => id.Value == member.Unit.Id).Key));
    }

    [TestCase("""{"name": "v1"}""", "a")]
    [TestCase("""{"name": {"$eq": "v1"}}""", "a")]
    [TestCase("""{"name": {"$in": ["v1", "v2", "nope"]}}""", "ab")]
    [TestCase("""{"name": {"$in": []}}""", "")]
    [TestCase("""{"name": {"$nin": ["v1"]}}""", "bcde")]
    [TestCase("""{"name": {"$ne": "v1"}}""", "bcde")]
    [TestCase("""{"name": {"$regex": "^v"}}""", "ab")]
    [TestCase("""{"name": {"$regex": "^v", "$options": "i"}}""", "abc")]
    [TestCase("""{"name": {"$not": {"$regex": "^v"}}}""", "cde")]
    [TestCase("""{"name": {"$gt": "v1"}}""", "bd")]
    [TestCase("""{"name": 5}""", "e")]
    [TestCase("""{"size": {"$gt": 10}}""", "b")]
    [TestCase("""{"size": {"$gte": 10, "$lt": 20}}""", "a")]
    [TestCase("""{"size": {"$lte": 2.5}}""", "c")]
    [TestCase("""{"size": 2.50}""", "c")]
    [TestCase("""{"size": {"$gt": "2"}}""", "d")]
    [TestCase("""{"flag": true}""", "ad")]
    [TestCase("""{"flag": {"$gt": false}}""", "ad")]
    [TestCase("""{"flag": {"$exists": false}}""", "ce")]
    [TestCase("""{"flag": null}""", "ce")]
    [TestCase("""{"note": null}""", "abcde")]
    [TestCase("""{"note": {"$exists": true}}""", "a")]
    [TestCase("""{"layers.digest": "d2"}""", "ab")]
    [TestCase("""{"layers.digest": {"$exists": true}}""", "ab")]
    [TestCase("""{"layers": {"$exists": true}}""", "abc")]
    [TestCase("""{"tags": "y"}""", "ab")]
    [TestCase("""{"tags": {"$ne": "x"}}""", "bcde")]
    [TestCase("""{"nested.deep.value": "z"}""", "c")]
    [TestCase("""{"extra.a": 1}""", "e")]
    [TestCase("""{"$or": [{"name": "v1"}, {"size": {"$gt": 15}}]}""", "ab")]
    [TestCase("""{"$and": [{"flag": true}, {"name": {"$regex": "1$"}}]}""", "ad")]
    [TestCase("""{"$nor": [{"name": "v1"}, {"name": "v2"}]}""", "cde")]
    [TestCase("""{"_content_type_id": "docker_blob"}""", "de")]
    [TestCase("""{"digest": {"$regex": "0[ab]$"}}""", "ab")]
    [TestCase("""{"name": {"$regex": "^[^v]"}}""", "cd")]
    [TestCase("""{"name": {"$regex": "\\d{2}"}}""", "c")]
    public async Task Criteria_UnitFilters_ChooseTheSameUnitsOnEveryStore(string filter, string expected)
    {
        var (repository, ids) = await CriteriaRepositoryAsync();
        Assert.That(await ChosenAsync(repository, ids, "{\"filters\": {\"unit\": " + filter + "}}"), Is.EqualTo(expected));
    }

    [TestCase("""{"filters": {"association": {"unit_type_id": "docker_blob"}}}""", "de")]
    [TestCase("""{"filters": {"association": {"created": {"$gte": {"$date": "2000-01-01T00:00:00Z"}}}}}""", "abcde")]
    [TestCase("""{"filters": {"association": {"created": {"$lt": "START+2"}}}}""", "ab")]
    [TestCase("""{"filters": {"association": {"created": {"$lt": "2000-01-01T00:00:00Z"}}}}""", "")]
    [TestCase("""{"filters": {"association": {"unit_type_id": {"$regex": "manifest$"}}, "unit": {"size": {"$gt": 5}}}}""", "ab")]
    [TestCase("""{"type_ids": ["docker_manifest"], "filters": {"unit": {"flag": {"$exists": true}}}}""", "ab")]
    [TestCase("""{"sort": {"unit": [["name", "ascending"]]}}""", "ecabd")]
    [TestCase("""{"sort": {"unit": [["name", "descending"]]}}""", "dbace")]
    [TestCase("""{"sort": {"unit": [["size", 1]]}}""", "ecabd")]
    [TestCase("""{"sort": {"unit": [["flag", "descending"]]}}""", "adbce")]
    [TestCase("""{"sort": {"association": [["created", "descending"]]}}""", "edcba")]
    [TestCase("""{"sort": {"association": [["unit_type_id", "ascending"]], "unit": [["name", -1]]}}""", "debac")]
    [TestCase("""{"sort": {"unit": [["name", "ascending"]]}, "skip": 1, "limit": 2}""", "ca")]
    [TestCase("""{"filters": {"unit": {"tags": {"$exists": true}}}, "sort": {"unit": [["name", "descending"]]}, "limit": 1}""", "b")]
    public async Task Criteria_AssociationFilters_Sorts_AndPages_AgreeOnEveryStore(string criteria, string expected)
    {
        var (repository, ids) = await CriteriaRepositoryAsync();
        Assert.That(await ChosenAsync(repository, ids, criteria), Is.EqualTo(expected));
    }

    [TestCase("a.b", true)]
    [TestCase("^a$", false)]
    [TestCase("b$", true)]
    public async Task Criteria_Regex_ReadsANewlineAlikeOnEveryStore(string pattern, bool matches)
    {
        var repository = await CreateAsync("newline");
        var unit = await SaveAsync(Blob("f1", 1) with { Metadata = new JsonObject { ["note"] = "a\nb" } }, None);
        await AssociateAsync(repository.Id, unit, None);
        var search = UnitSearch.Read(new JsonObject { ["filters"] = new JsonObject { ["unit"] = new JsonObject { ["note"] = new JsonObject { ["$regex"] = pattern } } } });
        Assert.That(await Units.SearchAsync(repository.Id, search.Criteria, None), matches ? Has.Count.EqualTo(1) : Is.Empty);
    }

    [TestCase("""{"filters": {"unit": {"digest": "zzz"}}}""", "a")]
    [TestCase("""{"filters": {"unit": {"digest": {"$regex": "2$"}}}}""", "b")]
    [TestCase("""{"filters": {"unit": {"Digest": "aaa"}}}""", "b")]
    [TestCase("""{"filters": {"unit": {"_id": "not-its-id"}}}""", "")]
    [TestCase("""{"filters": {"unit": {"_content_type_id": "not-its-type"}}}""", "")]
    [TestCase("""{"filters": {"unit": {"pulp_user_metadata.team": "blue"}}}""", "a")]
    [TestCase("""{"filters": {"unit": {"pulp_user_metadata.team": "red"}}}""", "b")]
    [TestCase("""{"filters": {"unit": {"pulp_user_metadata.team": "green"}}}""", "")]
    [TestCase("""{"sort": {"unit": [["digest", "descending"]]}}""", "acb")]
    [TestCase("""{"filters": {"unit": {"Digest": {"$exists": false}}}, "sort": {"unit": [["digest", "ascending"]]}, "limit": 1}""", "c")]
    public async Task Criteria_SeeAUnitsFieldsWhereItsDocumentShowsThem(string criteria, string expected)
    {
        // A unit's document (as the content API shows it) holds its key's fields, over them its metadata's (names in
        // their case), then its id and type, then what users set on it: criteria see each field where it shows.
        var repository = await CreateAsync("shadowed");
        var ids = new Dictionary<string, string>();
        var metadata = new Dictionary<string, JsonObject>
        {
            ["a"] = new() { ["digest"] = "zzz", ["pulp_user_metadata"] = new JsonObject { ["team"] = "green" } },
            ["b"] = new() { ["Digest"] = "aaa", ["pulp_user_metadata"] = new JsonObject { ["team"] = "red" } },
            ["c"] = new() { ["_id"] = "not-its-id", ["_content_type_id"] = "not-its-type" },
        };
        foreach (var (letter, hex) in new[] { ("a", "1"), ("b", "2"), ("c", "3") })
        {
            var unit = await SaveAsync(Blob(hex, 1) with { Metadata = metadata[letter] }, None);
            await AssociateAsync(repository.Id, unit, None);
            ids[letter] = unit.Id!;
        }

        Assert.That(await UserMetadata.SetAsync("docker_blob", ids["a"], new JsonObject { ["team"] = "blue" }, None), Is.True);
        Assert.That(await ChosenAsync(repository, ids, criteria), Is.EqualTo(expected));
    }

    [Test]
    public async Task Criteria_OnUserMetadata_FindsWhatUsersSet()
    {
        var (repository, ids) = await CriteriaRepositoryAsync();
        Assert.That(await UserMetadata.SetAsync("docker_manifest", ids["b"], new JsonObject { ["team"] = "blue" }, None), Is.True);
        Assert.That(await ChosenAsync(repository, ids, """{"filters": {"unit": {"pulp_user_metadata.team": "blue"}}}"""), Is.EqualTo("b"));
    }
}
