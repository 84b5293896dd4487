using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Storage;
using Berth.Server.Storage.LiteDb;
using Berth.Tests.Support;
using LiteDB;
using NUnit.Framework;

namespace Berth.Tests.Storage;

/// <summary>
/// Lookups by keys never seen before add nothing to LiteDB's cache of compiled expressions. Its own query helpers
/// wrote each value into the query text, and every new text was parsed, compiled to a new method (about 3 JIT
/// compilations and 2 ms per lookup) and cached for the life of the process: a leak that grew with every digest.
/// </summary>
public sealed class LiteQueryTests
{
    [Test]
    public async Task SavesAndLookupsByNewKeys_CompileAndCacheNoNewExpression()
    {
        using var folder = new TempFolder();
        using var database = new LiteDbDatabase(folder.Combine("berth.db"));
        var units = new LiteDbUnitStore(database, TimeProvider.System);
        var store = new LiteDbUnitOfWorkStore(database, new LiteDbEventStore(database), TimeProvider.System);
        const int count = 200;
        var before = CachedExpressions();
        for (var i = 0; i < count; i++)
        {
            using var work = new UnitOfWork();
            work.Save(new Unit { TypeId = "test_part", Key = UnitKey.Of("digest", $"sha256:{i:x64}"), Metadata = new JsonObject() });
            await work.CommitAsync(store, CancellationToken.None);
        }

        for (var i = 0; i < count; i++)
        {
            Assert.That(await units.FindAsync("test_part", UnitKey.Of("digest", $"sha256:{i:x64}"), CancellationToken.None), Is.Not.Null);
        }

        Assert.That(CachedExpressions() - before, Is.LessThan(10), "each lookup compiled and cached an expression of its own");
    }

    // LiteDB 5 keeps every expression text it has compiled in a static dictionary; no public API counts it.
    private static int CachedExpressions() =>
        typeof(BsonExpression).GetField("_cacheScalar", BindingFlags.Static | BindingFlags.NonPublic)?.GetValue(null) is ICollection cache
            ? cache.Count
            : throw new InvalidOperationException("LiteDB's expression cache moved: update this test to the LiteDB in use");
}
