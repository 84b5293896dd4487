using Berth.Server.Repositories;
using Berth.Server.Sync;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>Sync schedules in table <c>sync_schedules</c>, which goes with its repository (ON DELETE CASCADE).</summary>
public sealed class PostgreSqlSyncScheduleStore(PostgreSqlDatabase database) : ISyncScheduleStore
{
    private const string Columns = "id, repo_id, importer_type_id, schedule, first_run, interval_ticks, enabled, override_config, next_run, last_run_at, total_run_count";

    public Task<bool> AddAsync(SyncSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return database.WriteAsync(
            async (connection, transaction) => await With(connection.Command(
                    $"""
                    INSERT INTO sync_schedules ({Columns})
                    SELECT @id, id, @importer, @schedule, @first, @interval, @enabled, @override, @next, @last, @total FROM repositories WHERE id = @repo FOR KEY SHARE
                    """,
                    transaction), schedule)
                .ExecuteAsync(cancellationToken) == 1,
            cancellationToken);
    }

    public async Task<IReadOnlyList<SyncSchedule>> ListAsync(RepositoryId? repositoryId, CancellationToken cancellationToken) =>
        await database.ReadAsync(
            connection => connection.Command($"SELECT {Columns} FROM sync_schedules WHERE @repo::text IS NULL OR repo_id = @repo ORDER BY id")
                .With("repo", (object?)repositoryId?.Value ?? DBNull.Value)
                .ListAsync(Read, cancellationToken),
            cancellationToken);

    public Task<bool> UpdateAsync(SyncSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return database.WriteAsync(
            async (connection, transaction) => await With(connection.Command(
                    """
                    UPDATE sync_schedules SET importer_type_id = @importer, schedule = @schedule, first_run = @first, interval_ticks = @interval,
                        enabled = @enabled, override_config = @override, next_run = @next, last_run_at = @last, total_run_count = @total
                    WHERE id = @id AND repo_id = @repo
                    """,
                    transaction), schedule)
                .ExecuteAsync(cancellationToken) == 1,
            cancellationToken);
    }

    public Task<bool> DeleteAsync(RepositoryId repositoryId, string id, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) => await connection.Command("DELETE FROM sync_schedules WHERE id = @id AND repo_id = @repo", transaction)
                .With("id", id)
                .With("repo", repositoryId.Value)
                .ExecuteAsync(cancellationToken) == 1,
            cancellationToken);

    private static NpgsqlCommand With(NpgsqlCommand command, SyncSchedule schedule) => command
        .With("id", schedule.Id)
        .With("repo", schedule.RepositoryId.Value)
        .With("importer", schedule.ImporterTypeId)
        .With("schedule", schedule.Schedule)
        .WithTime("first", schedule.First)
        .With("interval", schedule.Interval.Ticks)
        .With("enabled", schedule.Enabled)
        .WithJson("override", schedule.OverrideConfig)
        .WithTime("next", schedule.NextRun)
        .With<object>("last", schedule.LastRunAt is { } last ? last.ToUniversalTime() : DBNull.Value)
        .With("total", schedule.TotalRunCount);

    private static SyncSchedule Read(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        RepositoryId.TryParse(reader.GetString(1), out var id, out _) ? id : throw new InvalidDataException($"stored repository id '{reader.GetString(1)}' is invalid"),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetTime(4),
        TimeSpan.FromTicks(reader.GetInt64(5)),
        reader.GetBoolean(6),
        reader.IsDBNull(7) ? null : reader.GetJson(7).AsObject(),
        reader.GetTime(8),
        reader.GetNullableTime(9),
        reader.GetInt64(10));
}
