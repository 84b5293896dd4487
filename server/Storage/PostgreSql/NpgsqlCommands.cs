using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>Short forms for the stores' commands: parameters by name and type, rows read into records.</summary>
internal static class NpgsqlCommands
{
    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null) =>
        new(sql, connection, transaction);

    /// <summary>A parameter typed by <typeparamref name="T"/> (<see langword="null"/> is sent as a null of that type).</summary>
    public static NpgsqlCommand With<T>(this NpgsqlCommand command, string name, T value)
    {
        command.Parameters.Add(new NpgsqlParameter<T>(name, value));
        return command;
    }

    public static NpgsqlCommand WithAll(this NpgsqlCommand command, IEnumerable<NpgsqlParameter> parameters)
    {
        command.Parameters.AddRange(parameters.ToArray());
        return command;
    }

    /// <summary>A timestamp: PostgreSQL keeps instants, so the offset must be zero.</summary>
    public static NpgsqlCommand WithTime(this NpgsqlCommand command, string name, DateTimeOffset value) =>
        command.With(name, value.ToUniversalTime());

    public static NpgsqlCommand WithJson(this NpgsqlCommand command, string name, JsonNode? json)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = json?.ToJsonString() ?? (object)DBNull.Value });
        return command;
    }

    /// <summary>An array of JSON documents, for <c>unnest</c>.</summary>
    public static NpgsqlCommand WithJsonArray(this NpgsqlCommand command, string name, IEnumerable<JsonNode?> json)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb | NpgsqlDbType.Array) { Value = json.Select(j => j?.ToJsonString()).ToArray() });
        return command;
    }

    public static async Task<List<T>> ListAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(read(reader));
            }

            return rows;
        }
    }

    public static async Task<T?> FirstOrDefaultAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? read(reader) : null;
        }
    }

    public static async Task<int> ExecuteAsync(this NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public static async Task<T?> ScalarAsync<T>(this NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            var value = await command.ExecuteScalarAsync(cancellationToken);
            return value is null or DBNull ? default : (T)value;
        }
    }

    public static string? GetNullableString(this NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset GetTime(this NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static DateTimeOffset? GetNullableTime(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static JsonNode GetJson(this NpgsqlDataReader reader, int ordinal) =>
        JsonNode.Parse(reader.GetString(ordinal)) ?? throw new InvalidDataException($"column {reader.GetName(ordinal)} holds JSON null");
}
