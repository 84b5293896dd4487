using System.Text.Json.Nodes;
using Berth.Server.Repositories;
using Berth.Server.Sync;
using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>Sync schedules in collection <c>sync_schedules</c>, by id; the repository's deletion takes them.</summary>
public sealed class LiteDbSyncScheduleStore(LiteDbDatabase database) : ISyncScheduleStore
{
    public Task<bool> AddAsync(SyncSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return database.WriteAsync(db =>
        {
            if (db.GetCollection(LiteDbDatabase.Repositories).FindById(schedule.RepositoryId.Value) is null)
            {
                return false;
            }

            db.GetCollection(LiteDbDatabase.SyncSchedules).Insert(ToDocument(schedule));
            return true;
        });
    }

    public Task<IReadOnlyList<SyncSchedule>> ListAsync(RepositoryId? repositoryId, CancellationToken cancellationToken)
    {
        var found = database.Read(db =>
        {
            var schedules = db.GetCollection(LiteDbDatabase.SyncSchedules);
            return (repositoryId is { } id ? schedules.Find(LiteQuery.Equal("repo_id", id.Value)) : schedules.FindAll()).Select(Read).OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        });
        return Task.FromResult<IReadOnlyList<SyncSchedule>>(found);
    }

    public Task<bool> UpdateAsync(SyncSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return database.WriteAsync(db =>
        {
            var schedules = db.GetCollection(LiteDbDatabase.SyncSchedules);
            return schedules.FindById(schedule.Id) is { } existing && existing["repo_id"].AsString == schedule.RepositoryId.Value && schedules.Update(ToDocument(schedule));
        });
    }

    public Task<bool> DeleteAsync(RepositoryId repositoryId, string id, CancellationToken cancellationToken) =>
        database.WriteAsync(db =>
        {
            var schedules = db.GetCollection(LiteDbDatabase.SyncSchedules);
            return schedules.FindById(id) is { } existing && existing["repo_id"].AsString == repositoryId.Value && schedules.Delete(id);
        });

    private static BsonDocument ToDocument(SyncSchedule schedule) => new()
    {
        ["_id"] = schedule.Id,
        ["repo_id"] = schedule.RepositoryId.Value,
        ["importer"] = schedule.ImporterTypeId,
        ["schedule"] = schedule.Schedule,
        ["first"] = BsonDates.ToBson(schedule.First),
        ["interval_ticks"] = schedule.Interval.Ticks,
        ["enabled"] = schedule.Enabled,
        ["override"] = schedule.OverrideConfig?.ToJsonString() is { } json ? json : BsonValue.Null,
        ["next_run"] = BsonDates.ToBson(schedule.NextRun),
        ["last_run"] = schedule.LastRunAt is { } last ? BsonDates.ToBson(last) : BsonValue.Null,
        ["total"] = schedule.TotalRunCount,
    };

    private static SyncSchedule Read(BsonDocument document) => new(
        document["_id"].AsString,
        RepositoryId.TryParse(document["repo_id"].AsString, out var id, out _) ? id : throw new InvalidDataException($"stored repository id '{document["repo_id"]}' is invalid"),
        document["importer"].AsString,
        document["schedule"].AsString,
        BsonDates.FromBson(document["first"]),
        TimeSpan.FromTicks(document["interval_ticks"].AsInt64),
        document["enabled"].AsBoolean,
        document["override"].IsNull ? null : JsonNode.Parse(document["override"].AsString)!.AsObject(),
        BsonDates.FromBson(document["next_run"]),
        BsonDates.FromBsonOrNull(document["last_run"]),
        document["total"].AsInt64);
}
