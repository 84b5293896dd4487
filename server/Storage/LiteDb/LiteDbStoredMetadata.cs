using Berth.Server.Access;
using Berth.Server.Events;
using Berth.Server.Importers;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using Berth.Server.Storage.Migration;
using Berth.Server.TagHistory;
using Berth.Server.Uploads;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// Everything in the embedded store, read a part at a time for <c>migrate</c> (with the server stopped: nothing writes
/// meanwhile). Large parts (units, associations) come in batches in <c>_id</c> order, so that memory stays flat
/// whatever their number.
/// </summary>
public sealed class LiteDbStoredMetadata(LiteDbDatabase database)
{
    public IEnumerable<User> Users() => All(LiteDbDatabase.Users, LiteDbUserStore.FromDocument);

    public IEnumerable<ApiToken> Tokens() => All(LiteDbDatabase.Tokens, LiteDbUserStore.TokenFromDocument);

    public IEnumerable<(string Id, DateTimeOffset Expires)> SignedOutSessions() =>
        All(LiteDbDatabase.SignedOutSessions, d => (d["_id"].AsString, BsonDates.FromBson(d["expires"])));

    public IEnumerable<Repository> Repositories() => All(LiteDbDatabase.Repositories, LiteDbRepositoryStore.FromDocument);

    public IEnumerable<ImporterRegistration> Importers() =>
        All(LiteDbDatabase.Importers, d => LiteDbImporterRegistrationStore.FromDocument(ParseRepository(d["repo_id"].AsString), d));

    public IEnumerable<(RepositoryId Repository, RetentionPolicy Policy)> RetentionPolicies() =>
        All(LiteDbDatabase.RetentionPolicies, d => (ParseRepository(d["_id"].AsString), LiteDbRetentionPolicyStore.FromDocument(d)));

    public long UnitCount() => database.Read(db => db.GetCollection(LiteDbDatabase.Units).LongCount());

    public IEnumerable<IReadOnlyList<StoredUnit>> Units(int batch) =>
        Batches(LiteDbDatabase.Units, batch, d => new StoredUnit(
            LiteDbUnitStore.FromDocument(d),
            BsonDates.FromBson(d["created"]),
            BsonDates.FromBson(d["updated"]),
            BsonDates.FromBsonOrNull(d["released"]),
            BsonUnitReferences.IsStored(d),
            LiteDbUnitUserMetadataStore.Of(d)));

    public long AssociationCount() => database.Read(db => db.GetCollection(LiteDbDatabase.Associations).LongCount());

    public IEnumerable<IReadOnlyList<StoredAssociation>> Associations(int batch) =>
        Batches(LiteDbDatabase.Associations, batch, d => new StoredAssociation(
            ParseRepository(d["_id"].AsString[..d["_id"].AsString.IndexOf(LiteDbDatabase.Separator, StringComparison.Ordinal)]),
            d["unit_id"].AsString,
            d["type_id"].AsString,
            d["seq"].AsInt64,
            BsonDates.FromBson(d["created"]),
            BsonDates.FromBson(d["updated"])));

    /// <summary>Every tag move, oldest first.</summary>
    public IEnumerable<TagMove> TagMoves() => database.Read(db => db.GetCollection(LiteDbDatabase.TagHistory).FindAll()
        .OrderBy(d => d["_id"].AsObjectId)
        .Select(d =>
        {
            // The key is "repository:tag"; repository ids hold no ':'.
            var key = d["tag_key"].AsString;
            return new TagMove(
                ParseRepository(key[..key.IndexOf(':', StringComparison.Ordinal)]),
                d["tag"].AsString,
                BsonDates.FromBson(d["at"]),
                d["actor"].AsString,
                d["old"].IsString ? d["old"].AsString : null,
                d["new"].IsString ? d["new"].AsString : null);
        })
        .ToList());

    public IEnumerable<UploadRequest> Uploads() => All(LiteDbDatabase.Uploads, LiteDbUploadRequestStore.FromDocument);

    public IEnumerable<(UploadId Id, DateTimeOffset Opened)> EndedSessions() =>
        All(LiteDbDatabase.EndedSessions, d => (UploadId.TryParse(d["_id"].AsString, out var id) ? id : throw new InvalidDataException($"stored session id '{d["_id"]}' is invalid"), BsonDates.FromBson(d["opened"])));

    public IEnumerable<(string Name, DateTimeOffset At)> Marks() => All(LiteDbDatabase.Marks, d => (d["_id"].AsString, BsonDates.FromBson(d["at"])));

    /// <summary>Events not yet pruned, in order, at their positions.</summary>
    public IEnumerable<OutboxEntry> Events() => All(LiteDbDatabase.Events, d => new OutboxEntry(
        d["_id"].AsInt64,
        System.Text.Json.JsonSerializer.Deserialize(d["body"].AsString, EventJsonContext.Default.NotificationEvent)!));

    public IEnumerable<(string Endpoint, long Position)> EventCursors() =>
        All(LiteDbDatabase.EventCursors, d => (d["_id"].AsString, d["position"].AsInt64));

    // Small collections, read whole (in _id order).
    private List<T> All<T>(string collection, Func<BsonDocument, T> read) =>
        database.Read(db => db.GetCollection(collection).FindAll().Select(read).ToList());

    // A large collection a slice of its _id range at a time, so that memory holds one batch.
    private IEnumerable<IReadOnlyList<T>> Batches<T>(string collection, int batch, Func<BsonDocument, T> read)
    {
        var after = BsonValue.MinValue;
        while (true)
        {
            var slice = database.Read(db => db.GetCollection(collection).Find(LiteQuery.Greater("_id", after), skip: 0, limit: batch).ToList());
            if (slice.Count == 0)
            {
                yield break;
            }

            yield return [.. slice.Select(read)];
            after = slice[^1]["_id"];
        }
    }

    private static RepositoryId ParseRepository(string id) =>
        RepositoryId.TryParse(id, out var parsed, out _) ? parsed : throw new InvalidDataException($"stored repository id '{id}' is invalid");
}
