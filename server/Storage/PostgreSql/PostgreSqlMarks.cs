using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>Named instants in table <c>marks</c>: when something that concerns many rows last happened.</summary>
internal static class PostgreSqlMarks
{
    /// <summary>When a repository was last deleted: no orphan counts as orphaned before it.</summary>
    public const string RepositoryDeleted = "repository_deleted";

    /// <summary>Set once every unit has its references recorded.</summary>
    public const string ReferencesRecorded = "unit_references_recorded";

    public static Task SetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, DateTimeOffset at, CancellationToken cancellationToken) =>
        connection.Command("INSERT INTO marks (name, at) VALUES (@name, @at) ON CONFLICT (name) DO UPDATE SET at = excluded.at", transaction)
            .With("name", name)
            .WithTime("at", at)
            .ExecuteAsync(cancellationToken);

    public static async Task<DateTimeOffset?> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string name, CancellationToken cancellationToken)
    {
        var at = await connection.Command("SELECT at FROM marks WHERE name = @name", transaction).With("name", name).ScalarAsync<DateTime?>(cancellationToken);
        return at is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : null;
    }
}
