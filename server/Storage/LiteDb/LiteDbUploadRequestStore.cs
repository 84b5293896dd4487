using Berth.Server.Repositories;
using Berth.Server.Uploads;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

public sealed class LiteDbUploadRequestStore(LiteDbDatabase database) : IUploadRequestStore
{
    private static readonly string[] Changes = [LiteDbDatabase.Uploads];
    private static readonly string[] EndedChanges = [LiteDbDatabase.EndedSessions];

    public async Task CreateAsync(UploadRequest upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        await database.WriteAsync(Changes, db => db.GetCollection(LiteDbDatabase.Uploads).Insert(new BsonDocument
        {
            ["_id"] = upload.Id.Value,
            ["created"] = BsonDates.ToBson(upload.Created),
            ["repo_id"] = upload.Repository is { } repository ? new BsonValue(repository.Value) : BsonValue.Null,
            ["owner"] = upload.Owner is { } owner ? new BsonValue(owner) : BsonValue.Null,
        }));
    }

    public Task<UploadRequest?> FindAsync(UploadId id, CancellationToken cancellationToken)
    {
        var document = database.Read(db => db.GetCollection(LiteDbDatabase.Uploads).FindById(id.Value));
        return Task.FromResult(document is null ? null : FromDocument(document));
    }

    public Task<IReadOnlyList<UploadRequest>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UploadRequest>>(database.Read(db =>
            db.GetCollection(LiteDbDatabase.Uploads).FindAll().Select(FromDocument).OrderBy(u => u.Created).ToList()));

    public Task<bool> DeleteAsync(UploadId id, CancellationToken cancellationToken) =>
        database.WriteAsync(Changes, db => db.GetCollection(LiteDbDatabase.Uploads).Delete(id.Value));

    public Task<IReadOnlyList<UploadPart>> PartsAsync(UploadId id, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UploadPart>>(database.Read(db => db.GetCollection(LiteDbDatabase.Uploads).FindById(id.Value) is { } document
            ? PartsOf(document).Select(ToPart).ToList()
            : []));

    public Task<bool> AddPartAsync(UploadId id, UploadPart part, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(part);
        return database.WriteAsync(Changes, db =>
        {
            var uploads = db.GetCollection(LiteDbDatabase.Uploads);
            if (uploads.FindById(id.Value) is not { } document || PartsOf(document).Count != part.Sequence)
            {
                return false;
            }

            document["parts"] = new BsonArray(new List<BsonValue>([.. PartsOf(document), new BsonDocument
            {
                ["seq"] = part.Sequence,
                ["offset"] = part.Offset,
                ["length"] = part.Length,
                ["name"] = part.Name,
                ["stored"] = BsonDates.ToBson(part.Stored),
            }]));
            return uploads.Update(document);
        });
    }

    public async Task RememberEndedAsync(UploadId id, DateTimeOffset opened, CancellationToken cancellationToken) =>
        await database.WriteAsync(EndedChanges, db => db.GetCollection(LiteDbDatabase.EndedSessions).Upsert(new BsonDocument
        {
            ["_id"] = id.Value,
            ["opened"] = BsonDates.ToBson(opened),
        }));

    public Task<bool> HasEndedAsync(UploadId id, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(db => db.GetCollection(LiteDbDatabase.EndedSessions).FindById(id.Value) is not null));

    public async Task<bool> ForgetEndedAsync(UploadId id, CancellationToken cancellationToken) =>
        await HasEndedAsync(id, cancellationToken) &&
        await database.WriteAsync(EndedChanges, db => db.GetCollection(LiteDbDatabase.EndedSessions).Delete(id.Value));

    public async Task<int> ForgetEndedAsync(DateTimeOffset openedBefore, CancellationToken cancellationToken)
    {
        // Looked for first: every purge round asks, and a write (with its flush) for nothing would cost every round.
        var expired = database.Read(db => db.GetCollection(LiteDbDatabase.EndedSessions).FindAll()
            .Where(d => BsonDates.FromBson(d["opened"]) < openedBefore).Select(d => d["_id"]).ToList());
        return expired.Count == 0
            ? 0
            : await database.WriteAsync(EndedChanges, db => expired.Count(db.GetCollection(LiteDbDatabase.EndedSessions).Delete));
    }

    private static BsonArray PartsOf(BsonDocument document) => document.TryGetValue("parts", out var parts) && parts.IsArray ? parts.AsArray : [];

    private static UploadPart ToPart(BsonValue part) => new(
        part["seq"].AsInt32, part["offset"].AsInt64, part["length"].AsInt64, part["name"].AsString, BsonDates.FromBson(part["stored"]));

    internal static UploadRequest FromDocument(BsonDocument document) =>
        UploadId.TryParse(document["_id"].AsString, out var id)
            ? new UploadRequest(
                id,
                BsonDates.FromBson(document["created"]),
                document["repo_id"].IsString && RepositoryId.TryParse(document["repo_id"].AsString, out var repository, out _) ? repository : null,
                document["owner"].IsString ? document["owner"].AsString : null)
            : throw new InvalidDataException($"stored upload id '{document["_id"]}' is invalid");
}
