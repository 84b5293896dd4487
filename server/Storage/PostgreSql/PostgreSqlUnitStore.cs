using Berth.Plugins;
using Berth.Server.Criteria;
using Berth.Server.Repositories;
using Berth.Server.Units;
using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// Units (table <c>units</c>, unique by type and canonical key) and their associations with repositories (table
/// <c>associations</c>), written by <see cref="PostgreSqlUnitOfWorkStore"/>.
/// </summary>
public sealed class PostgreSqlUnitStore(PostgreSqlDatabase database, TimeProvider clock) : IUnitStore
{
    public Task<Unit?> FindAsync(string typeId, UnitKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return database.ReadAsync(
            connection => connection.Command($"SELECT {PostgreSqlUnitRows.Columns("u")} FROM units u WHERE u.type_id = @type AND u.unit_key = @key")
                .With("type", typeId)
                .With("key", key.Canonical)
                .FirstOrDefaultAsync(PostgreSqlUnitRows.Read, cancellationToken),
            cancellationToken);
    }

    public async Task<IReadOnlyList<Unit>> FindInRepositoryAsync(
        RepositoryId repositoryId, string typeId, IReadOnlyCollection<UnitKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Count == 0
            ? []
            : await database.ReadAsync(connection => HeldByAsync(connection, repositoryId, [.. keys.Select(k => (typeId, k))], cancellationToken), cancellationToken);
    }

    public Task<UnitWithReferenced?> FindWithReferencedAsync(RepositoryId repositoryId, string typeId, UnitKey key, CancellationToken cancellationToken) =>
        database.ReadAsync<UnitWithReferenced?>(
            async connection =>
            {
                if (await HeldByAsync(connection, repositoryId, [(typeId, key)], cancellationToken) is not [var unit])
                {
                    return null;
                }

                var referenced = unit.References.Count == 0
                    ? []
                    : await HeldByAsync(connection, repositoryId, [.. unit.References.Select(r => (r.TypeId, r.Key))], cancellationToken);
                return new UnitWithReferenced(unit, referenced);
            },
            cancellationToken);

    public async Task<IReadOnlyList<RepositoryUnit>> SearchAsync(RepositoryId repositoryId, UnitCriteria criteria, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var sql = new PostgreSqlConditions();
        var unitFilter = sql.Where(criteria.UnitFilter, _ => UnitDocumentField);
        var associationFilter = sql.Where(criteria.AssociationFilter, AssociationColumn);
        var order = sql.OrderBy(criteria.AssociationSort, AssociationColumn).Concat(sql.OrderBy(criteria.UnitSort, _ => UnitDocumentField)).Append("a.seq").ToList();
        var byType = criteria.TypeIds is null ? string.Empty : "AND a.type_id = ANY(@types)";

        // The unit's document, as the content API shows its metadata (UnitResponse), is made only when the criteria
        // tests or orders by it.
        var document = criteria.ReadsUnits
            ? $"CROSS JOIN LATERAL (SELECT {UnitDocument} AS doc) d"
            : string.Empty;
        try
        {
            return await database.ReadAsync(
                connection => connection.Command(
                        $"""
                        SELECT {PostgreSqlUnitRows.Columns("u")}, a.created, a.updated, u.user_metadata
                        FROM associations a JOIN units u ON u.id = a.unit_id {document}
                        WHERE a.repo_id = @repo {byType} AND {associationFilter} AND {unitFilter}
                        ORDER BY {string.Join(", ", order)}
                        OFFSET @skip LIMIT @limit
                        """)
                    .With("repo", repositoryId.Value)
                    .With("types", criteria.TypeIds?.ToArray() ?? [])
                    .With("skip", (long)criteria.Skip)
                    .With<long?>("limit", criteria.Limit)
                    .WithAll(sql.Parameters)
                    .ListAsync(
                        reader => new RepositoryUnit(
                            repositoryId, PostgreSqlUnitRows.Read(reader), reader.GetTime(6), reader.GetTime(7), reader.IsDBNull(8) ? null : reader.GetJson(8).AsObject()),
                        cancellationToken),
                cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidRegularExpression)
        {
            throw RegexRefused(e);
        }
    }

    public async Task<IReadOnlyList<StoredUnit>> SearchByTypeAsync(string typeId, SearchCriteria criteria, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var sql = new PostgreSqlConditions();
        var filter = sql.Where(criteria.Filter, _ => UnitDocumentField);
        var order = sql.OrderBy(criteria.Sort, _ => UnitDocumentField).Append("u.created").Append("u.id").ToList();
        try
        {
            return await database.ReadAsync(
                connection => connection.Command(
                        $"""
                        SELECT {PostgreSqlUnitRows.Columns("u")}, u.user_metadata
                        FROM units u CROSS JOIN LATERAL (SELECT {UnitDocument} AS doc) d
                        WHERE u.type_id = @type AND {filter}
                        ORDER BY {string.Join(", ", order)}
                        OFFSET @skip LIMIT @limit
                        """)
                    .With("type", typeId)
                    .With("skip", (long)criteria.Skip)
                    .With<long?>("limit", criteria.Limit)
                    .WithAll(sql.Parameters)
                    .ListAsync(reader => new StoredUnit(PostgreSqlUnitRows.Read(reader), reader.IsDBNull(6) ? null : reader.GetJson(6).AsObject()), cancellationToken),
                cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidRegularExpression)
        {
            throw RegexRefused(e);
        }
    }

    public Task<StoredUnit?> FindByIdAsync(string typeId, string unitId, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => connection.Command($"SELECT {PostgreSqlUnitRows.Columns("u")}, u.user_metadata FROM units u WHERE u.id = @id AND u.type_id = @type")
                .With("id", unitId)
                .With("type", typeId)
                .FirstOrDefaultAsync(reader => new StoredUnit(PostgreSqlUnitRows.Read(reader), reader.IsDBNull(6) ? null : reader.GetJson(6).AsObject()), cancellationToken),
            cancellationToken);

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> RepositoriesOfAsync(IReadOnlyCollection<string> unitIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unitIds);
        var held = await database.ReadAsync(
            connection => connection.Command("SELECT unit_id, repo_id FROM associations WHERE unit_id = ANY(@units) ORDER BY unit_id, repo_id")
                .With("units", unitIds.ToArray())
                .ListAsync(reader => (UnitId: reader.GetString(0), RepositoryId: reader.GetString(1)), cancellationToken),
            cancellationToken);
        return held.GroupBy(a => a.UnitId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(a => a.RepositoryId)], StringComparer.Ordinal);
    }

    // The pattern passed PortablePattern's checks yet PostgreSQL's engine refuses it: still the client's to fix.
    private static ContentException RegexRefused(PostgresException e) =>
        new(ContentError.InvalidRequest, $"criteria: a $regex is not one this server can run: {e.MessageText}");

    /// <summary>A unit's fields as criteria see them: its key's, its metadata's, its id and type, and what users set on it.</summary>
    private const string UnitDocument =
        "u.key_fields || u.metadata || jsonb_build_object('_id', u.id, '_content_type_id', u.type_id) " +
        "|| CASE WHEN u.user_metadata IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('pulp_user_metadata', u.user_metadata) END";

    private static readonly PostgreSqlConditions.Field UnitDocumentField = new PostgreSqlConditions.Field.InDocument("d.doc");

    private static PostgreSqlConditions.Field AssociationColumn(FieldPath field) => field.Name switch
    {
        AssociationFields.Names.Created => new PostgreSqlConditions.Field.Column("a.created", IsTime: true),
        AssociationFields.Names.Updated => new PostgreSqlConditions.Field.Column("a.updated", IsTime: true),
        AssociationFields.Names.RepoId => new PostgreSqlConditions.Field.Column("a.repo_id", IsTime: false),
        AssociationFields.Names.UnitId => new PostgreSqlConditions.Field.Column("a.unit_id", IsTime: false),
        AssociationFields.Names.UnitTypeId => new PostgreSqlConditions.Field.Column("a.type_id", IsTime: false),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field.Name, "not an association field"),
    };

    public Task<DateTimeOffset?> LastAddedAsync(RepositoryId repositoryId, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async connection =>
            {
                // The latest association made or renewed: kept apart from the repository's row, which every push into
                // the repository would otherwise lock until its commit.
                var at = await connection.Command("SELECT max(updated) FROM associations WHERE repo_id = @repo").With("repo", repositoryId.Value).ScalarAsync<DateTime?>(cancellationToken);
                return at is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : (DateTimeOffset?)null;
            },
            cancellationToken);

    public async Task<IReadOnlyDictionary<string, long>> CountByTypeAsync(RepositoryId repositoryId, CancellationToken cancellationToken)
    {
        var counts = await database.ReadAsync(
            connection => connection.Command("SELECT type_id, count(*) FROM associations WHERE repo_id = @repo GROUP BY type_id")
                .With("repo", repositoryId.Value)
                .ListAsync(reader => (Type: reader.GetString(0), Count: reader.GetInt64(1)), cancellationToken),
            cancellationToken);
        return counts.ToDictionary(c => c.Type, c => c.Count, StringComparer.Ordinal);
    }

    public Task<int> AddMissingReferencesAsync(Func<Unit, IReadOnlyList<UnitReference>?> referencesOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(referencesOf);
        return database.WriteAsync(
            async (connection, transaction) =>
            {
                // Once every unit has its references, later starts skip the scan: units saved since carry theirs.
                if (await PostgreSqlMarks.GetAsync(connection, transaction, PostgreSqlMarks.ReferencesRecorded, cancellationToken) is not null)
                {
                    return 0;
                }

                var missing = await connection.Command($"SELECT {PostgreSqlUnitRows.Columns("u")} FROM units u WHERE u.unit_references IS NULL FOR UPDATE", transaction)
                    .ListAsync(PostgreSqlUnitRows.Read, cancellationToken);
                var count = 0;
                foreach (var unit in missing)
                {
                    if (referencesOf(unit) is { } references)
                    {
                        await connection.Command("UPDATE units SET unit_references = @references WHERE id = @id", transaction)
                            .With("id", unit.Id!)
                            .WithJson("references", PostgreSqlUnitRows.ReferencesJson(references))
                            .ExecuteAsync(cancellationToken);
                        count++;
                    }
                }

                // A unit whose importer is not loaded now is asked again at the next start.
                if (count == missing.Count)
                {
                    await PostgreSqlMarks.SetAsync(connection, transaction, PostgreSqlMarks.ReferencesRecorded, clock.GetUtcNow(), cancellationToken);
                }

                return count;
            },
            cancellationToken);
    }

    /// <summary>Those of the units with these types and keys that the repository holds.</summary>
    private static Task<List<Unit>> HeldByAsync(NpgsqlConnection connection, RepositoryId repositoryId, IReadOnlyList<(string TypeId, UnitKey Key)> units, CancellationToken cancellationToken) =>
        connection.Command(
                $"""
                SELECT {PostgreSqlUnitRows.Columns("u")}
                FROM unnest(@types, @keys) AS wanted (type_id, unit_key)
                JOIN units u ON u.type_id = wanted.type_id AND u.unit_key = wanted.unit_key
                JOIN associations a ON a.repo_id = @repo AND a.unit_id = u.id
                """)
            .With("repo", repositoryId.Value)
            .With("types", units.Select(u => u.TypeId).ToArray())
            .With("keys", units.Select(u => u.Key.Canonical).ToArray())
            .ListAsync(PostgreSqlUnitRows.Read, cancellationToken);
}
