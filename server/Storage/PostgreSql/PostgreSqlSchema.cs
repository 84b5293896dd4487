using Npgsql;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// The schema, as numbered migrations applied in order at start, each in its own transaction and recorded in
/// <c>berth_schema_migrations</c>. Servers that start together take turns under an advisory lock, so each migration runs
/// once. A migration, once released, is never edited: a change is a new one.
/// </summary>
/// <remarks>
/// Text that is compared or ordered (ids, keys, tags, digests) is <c>COLLATE "C"</c>: byte order, as the embedded store
/// compares, whatever collation the operator's database was created with ("Latest" and "latest" are two tags).
/// </remarks>
internal static class PostgreSqlSchema
{
    // pg_advisory_lock's key for migrations: any constant other Berth locks do not use ("berth" in ASCII).
    private const long MigrationLock = 0x6265727468;

    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "repositories, importers, units, associations, uploads, users, tokens, tag history, retention policies, marks, events", """
            CREATE TABLE repositories (
                id text COLLATE "C" PRIMARY KEY,
                display_name text NOT NULL,
                description text,
                notes jsonb NOT NULL,
                created timestamptz NOT NULL,
                registry_name text COLLATE "C" UNIQUE,
                anonymous_pull boolean NOT NULL
            );

            CREATE TABLE importers (
                repo_id text COLLATE "C" NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
                importer_type_id text COLLATE "C" NOT NULL,
                config jsonb NOT NULL,
                registered timestamptz NOT NULL,
                PRIMARY KEY (repo_id, importer_type_id)
            );

            -- unit_references NULL: stored before references were kept (a database migrated from the embedded store).
            CREATE TABLE units (
                id text COLLATE "C" PRIMARY KEY,
                type_id text COLLATE "C" NOT NULL,
                unit_key text COLLATE "C" NOT NULL,
                key_fields jsonb NOT NULL,
                metadata jsonb NOT NULL,
                unit_references jsonb,
                content_digest text COLLATE "C",
                created timestamptz NOT NULL,
                updated timestamptz NOT NULL,
                released timestamptz,
                UNIQUE (type_id, unit_key)
            );
            CREATE INDEX units_by_content_digest ON units (content_digest) WHERE content_digest IS NOT NULL;

            -- seq orders a repository's content as it was added; units are never deleted while associated.
            CREATE TABLE associations (
                repo_id text COLLATE "C" NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
                unit_id text COLLATE "C" NOT NULL REFERENCES units (id),
                type_id text COLLATE "C" NOT NULL,
                seq bigint GENERATED ALWAYS AS IDENTITY,
                created timestamptz NOT NULL,
                updated timestamptz NOT NULL,
                PRIMARY KEY (repo_id, unit_id)
            );
            CREATE INDEX associations_in_order ON associations (repo_id, seq);
            CREATE INDEX associations_by_type ON associations (repo_id, type_id, seq);
            CREATE INDEX associations_by_unit ON associations (unit_id);
            CREATE INDEX associations_by_updated ON associations (repo_id, updated);

            CREATE TABLE uploads (
                id text COLLATE "C" PRIMARY KEY,
                created timestamptz NOT NULL,
                repo_id text COLLATE "C",
                owner text COLLATE "C"
            );

            CREATE TABLE ended_sessions (
                id text COLLATE "C" PRIMARY KEY,
                opened timestamptz NOT NULL
            );
            CREATE INDEX ended_sessions_by_opened ON ended_sessions (opened);

            CREATE TABLE users (
                login text COLLATE "C" PRIMARY KEY,
                password_hash text NOT NULL,
                grants jsonb NOT NULL,
                created timestamptz NOT NULL
            );

            CREATE TABLE tokens (
                id text COLLATE "C" PRIMARY KEY,
                login text COLLATE "C" NOT NULL,
                name text NOT NULL,
                secret_hash text NOT NULL,
                expires timestamptz NOT NULL,
                scope jsonb NOT NULL,
                account boolean NOT NULL,
                created timestamptz NOT NULL
            );
            CREATE INDEX tokens_by_login ON tokens (login);

            CREATE TABLE tag_history (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                repo_id text COLLATE "C" NOT NULL,
                tag text COLLATE "C" NOT NULL,
                at timestamptz NOT NULL,
                actor text NOT NULL,
                old_digest text,
                new_digest text
            );
            CREATE INDEX tag_history_by_tag ON tag_history (repo_id, tag, id);

            CREATE TABLE retention_policies (
                repo_id text COLLATE "C" PRIMARY KEY REFERENCES repositories (id) ON DELETE CASCADE,
                policy text NOT NULL
            );

            CREATE TABLE marks (
                name text COLLATE "C" PRIMARY KEY,
                at timestamptz NOT NULL
            );

            -- Events get their position only once committed (see PostgreSqlEventStore): id orders them until then.
            CREATE TABLE events (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                position bigint UNIQUE,
                body text NOT NULL
            );
            CREATE INDEX events_unpositioned ON events (id) WHERE position IS NULL;

            CREATE TABLE event_cursors (
                endpoint text COLLATE "C" PRIMARY KEY,
                position bigint NOT NULL
            );

            CREATE TABLE event_positions (
                only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
                last bigint NOT NULL
            );
            INSERT INTO event_positions (last) VALUES (0);
            """),
        new(2, "parts of uploads kept in the bucket", """
            CREATE TABLE upload_parts (
                upload_id text COLLATE "C" NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
                seq integer NOT NULL,
                "offset" bigint NOT NULL,
                length bigint NOT NULL,
                name text COLLATE "C" NOT NULL,
                stored timestamptz NOT NULL,
                PRIMARY KEY (upload_id, seq)
            );
            """),
        new(3, "each user's uploads counted across servers: uploads by owner, and reservations of segments being written", """
            CREATE INDEX uploads_by_owner ON uploads (owner);

            -- Unlogged: a reservation lives as long as its request, so one lost with the database's crash was never needed.
            CREATE UNLOGGED TABLE upload_reservations (
                id uuid PRIMARY KEY,
                owner text COLLATE "C" NOT NULL,
                bytes bigint NOT NULL,
                expires timestamptz NOT NULL
            );
            CREATE INDEX upload_reservations_by_owner ON upload_reservations (owner);
            """),
        new(4, "what users set on units (Pulp 2's pulp_user_metadata), apart from what importers recorded", """
            ALTER TABLE units ADD COLUMN user_metadata jsonb;
            """),
        new(5, "tasks (syncs) that clients poll, one unended per repository", """
            -- No reference to repositories: a task's record outlives its repository, as Pulp 2's do.
            CREATE TABLE tasks (
                id text COLLATE "C" PRIMARY KEY,
                task_type text NOT NULL,
                repo_id text COLLATE "C" NOT NULL,
                state text NOT NULL,
                worker text NOT NULL,
                created timestamptz NOT NULL,
                heartbeat timestamptz NOT NULL,
                start_time timestamptz,
                finish_time timestamptz,
                cancel_requested boolean NOT NULL DEFAULT false,
                progress jsonb,
                result jsonb,
                error jsonb
            );
            CREATE UNIQUE INDEX tasks_one_unended_per_repository ON tasks (repo_id) WHERE state IN ('waiting', 'running');
            CREATE INDEX tasks_by_repository ON tasks (repo_id, created DESC);
            CREATE INDEX tasks_by_created ON tasks (created DESC);
            """),
        new(6, "sync schedules, which go with their repository", """
            CREATE TABLE sync_schedules (
                id text COLLATE "C" PRIMARY KEY,
                repo_id text COLLATE "C" NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
                importer_type_id text NOT NULL,
                schedule text NOT NULL,
                first_run timestamptz NOT NULL,
                interval_ticks bigint NOT NULL,
                enabled boolean NOT NULL,
                override_config jsonb,
                next_run timestamptz NOT NULL,
                last_run_at timestamptz,
                total_run_count bigint NOT NULL
            );
            CREATE INDEX sync_schedules_by_repository ON sync_schedules (repo_id);
            """),
        new(7, "web UI sessions signed out before they expire", """
            CREATE TABLE signed_out_sessions (
                id text COLLATE "C" PRIMARY KEY,
                expires timestamptz NOT NULL
            );
            CREATE INDEX signed_out_sessions_by_expiry ON signed_out_sessions (expires);
            """),
    ];

    /// <summary>Applies the migrations this database lacks; returns them.</summary>
    public static async Task<IReadOnlyList<Migration>> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", MigrationLock);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using (var create = new NpgsqlCommand(
                "CREATE TABLE IF NOT EXISTS berth_schema_migrations (version integer PRIMARY KEY, description text NOT NULL, applied timestamptz NOT NULL DEFAULT now())",
                connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var present = new HashSet<int>();
            await using (var read = new NpgsqlCommand("SELECT version FROM berth_schema_migrations", connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    present.Add(reader.GetInt32(0));
                }
            }

            var newest = Migrations[^1].Version;
            if (present.Count > 0 && present.Max() > newest)
            {
                throw new MetadataSchemaException(
                    $"the metadata database has schema version {present.Max()}, newer than this server knows ({newest}): run a newer Berth, or restore a backup taken before the upgrade");
            }

            var applied = new List<Migration>();
            foreach (var migration in Migrations.Where(m => !present.Contains(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var apply = new NpgsqlCommand(migration.Sql, connection, transaction))
                {
                    await apply.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var record = new NpgsqlCommand("INSERT INTO berth_schema_migrations (version, description) VALUES (@version, @description)", connection, transaction))
                {
                    record.Parameters.AddWithValue("version", migration.Version);
                    record.Parameters.AddWithValue("description", migration.Description);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                applied.Add(migration);
            }

            return applied;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", MigrationLock);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public sealed record Migration(int Version, string Description, string Sql);
}
