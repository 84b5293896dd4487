using System.Diagnostics;
using Npgsql;

namespace Berth.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster (Debian's <c>postgresql</c>) for the whole test run: made under a temporary folder,
/// listening on a loopback port, stopped and removed when the run ends (<see cref="Tests.TestRunEnd"/>). Each test or
/// fixture gets a database of its own (<see cref="CreateDatabaseAsync"/>). It runs as the <c>postgres</c> user when the
/// tests run as root, since PostgreSQL refuses to. Missing PostgreSQL makes a test inconclusive with the command that
/// installs it, except under CI (<c>CI=true</c>), where it is a failure.
/// </summary>
public sealed class PostgreSqlCluster
{
    public const string InstallCommand = "sudo apt-get install -y postgresql";

    private const string Superuser = "berth";

    private static readonly Lock Gate = new();
    private static Task<PostgreSqlCluster>? _shared;
    private static int _databases;

    private readonly string _folder;
    private readonly string _binaries;
    private readonly int _port;

    private PostgreSqlCluster(string folder, string binaries, int port) => (_folder, _binaries, _port) = (folder, binaries, port);

    /// <summary>The run's cluster, started by the first test that asks; the test is ignored (or failed under CI) without PostgreSQL.</summary>
    public static Task<PostgreSqlCluster> SharedAsync()
    {
        var binaries = FindBinaries();
        if (binaries is null)
        {
            RequiredEngine.Missing("PostgreSQL", "PostgreSQL", InstallCommand);
        }

        lock (Gate)
        {
            return _shared ??= StartAsync(binaries!);
        }
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"berth_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing what still connects to it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        using (var pooled = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Runs SQL on a database of the cluster, outside the server under test.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row SQL returns.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = _port, Username = Superuser, Database = database, Timeout = 30 }.ConnectionString;

    private static async Task<PostgreSqlCluster> StartAsync(string binaries)
    {
        var folder = Directory.CreateTempSubdirectory("berth-postgresql-").FullName;
        var data = Path.Combine(folder, "data");
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["postgres:postgres", folder], asPostgres: false);
        }

        await RunAsync(Path.Combine(binaries, "initdb"), ["-D", data, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"], Environment.IsPrivilegedProcess);
        var port = LoopbackPorts.Take();

        // fsync off: the tests stop Berth, never the database, so its durability is not what they measure.
        var options = $"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off -c max_connections=300";
        await RunAsync(Path.Combine(binaries, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "log"), "-o", options, "-w", "-t", "60", "start"], Environment.IsPrivilegedProcess);
        var cluster = new PostgreSqlCluster(folder, binaries, port);
        Tests.TestRunEnd.Register(cluster.Stop);
        return cluster;
    }

    private void Stop()
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"], Environment.IsPrivilegedProcess).GetAwaiter().GetResult();
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static async Task RunAsync(string command, string[] arguments, bool asPostgres)
    {
        var start = asPostgres ? new ProcessStartInfo("runuser") : new ProcessStartInfo(command);
        if (asPostgres)
        {
            foreach (var part in new[] { "-u", "postgres", "--", command })
            {
                start.ArgumentList.Add(part);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}{await error}");
        }
    }

    /// <summary>Debian's server binaries, the newest version installed; <c>BERTH_TEST_POSTGRESQL_BIN</c> names others.</summary>
    private static string? FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("BERTH_TEST_POSTGRESQL_BIN") is { Length: > 0 } configured)
        {
            return configured;
        }

        const string debian = "/usr/lib/postgresql";
        return Directory.Exists(debian)
            ? Directory.GetDirectories(debian)
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "postgres")) && File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var version) ? version : 0)
                .FirstOrDefault()
            : null;
    }
}
