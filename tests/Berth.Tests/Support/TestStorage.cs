namespace Berth.Tests.Support;

/// <summary>
/// The stores of one test server: nothing to make for the embedded store and the data folder; a database of its own in
/// the run's PostgreSQL cluster, and for the S3 backends a bucket of its own in the run's radosgw; dropped when disposed.
/// </summary>
public sealed class TestStorage : IAsyncDisposable
{
    private TestStorage(StorageBackend backend, string? connectionString, RadosGateway? gateway, string? bucket) =>
        (Backend, ConnectionString, Gateway, Bucket) = (backend, connectionString, gateway, bucket);

    public StorageBackend Backend { get; }

    /// <summary>The PostgreSQL database's connection string; null for the embedded store.</summary>
    public string? ConnectionString { get; }

    /// <summary>The object store content is kept in; null when it is kept in the data folder.</summary>
    public RadosGateway? Gateway { get; }

    public string? Bucket { get; }

    /// <summary>The server settings that choose these stores.</summary>
    public IReadOnlyDictionary<string, string> Settings
    {
        get
        {
            var settings = new Dictionary<string, string>();
            if (ConnectionString is not null)
            {
                settings["Berth:Metadata:Provider"] = "PostgreSql";
                settings["Berth:Metadata:ConnectionString"] = ConnectionString;
            }

            if (Gateway is not null)
            {
                settings["Berth:Content:Provider"] = "S3";
                settings["Berth:Content:S3:ServiceUrl"] = Gateway.ServiceUrl;
                settings["Berth:Content:S3:Bucket"] = Bucket!;
                settings["Berth:Content:S3:ForcePathStyle"] = "true";
                settings["Berth:Content:S3:AccessKey"] = Gateway.AccessKey;
                settings["Berth:Content:S3:SecretKey"] = Gateway.SecretKey;
                settings["Berth:Content:S3:Redirect"] = Backend == StorageBackend.PostgreSqlS3 ? "true" : "false";
            }

            return settings;
        }
    }

    /// <summary>The same settings as server arguments.</summary>
    public IEnumerable<string> Arguments => Settings.Select(s => $"--{s.Key}={s.Value}");

    /// <summary>The backend a fixture names; for <see cref="StorageBackend.Default"/>, the run's (<c>BERTH_TEST_STORAGE</c>), else the embedded store.</summary>
    public static StorageBackend Resolve(StorageBackend backend)
    {
        if (backend != StorageBackend.Default)
        {
            return backend;
        }

        // A misspelt name would quietly run the whole suite on the embedded store, which is not what was asked.
        var named = Environment.GetEnvironmentVariable("BERTH_TEST_STORAGE");
        if (string.IsNullOrEmpty(named))
        {
            return StorageBackend.LiteDb;
        }

        return Enum.TryParse<StorageBackend>(named, ignoreCase: true, out var chosen) && Enum.IsDefined(chosen) && chosen != StorageBackend.Default
            ? chosen
            : throw new InvalidOperationException(
                $"BERTH_TEST_STORAGE={named} names no storage backend: use one of {string.Join(", ", Enum.GetNames<StorageBackend>().Skip(1))}");
    }

    public static async Task<TestStorage> CreateAsync(StorageBackend backend)
    {
        var connectionString = backend is StorageBackend.PostgreSql or StorageBackend.PostgreSqlS3 or StorageBackend.PostgreSqlS3Streamed
            ? await (await PostgreSqlCluster.SharedAsync()).CreateDatabaseAsync()
            : null;
        if (backend is not (StorageBackend.PostgreSqlS3 or StorageBackend.PostgreSqlS3Streamed))
        {
            return new TestStorage(backend, connectionString, null, null);
        }

        var gateway = await RadosGateway.SharedAsync();
        return new TestStorage(backend, connectionString, gateway, await gateway.CreateBucketAsync());
    }

    /// <summary>The bytes stored under a digest, from whichever store holds content; null when there are none.</summary>
    public async Task<byte[]?> ReadContentAsync(string dataDir, string digest)
    {
        if (Gateway is null)
        {
            var path = Path.Combine(dataDir, StoredName(digest));
            return File.Exists(path) ? await File.ReadAllBytesAsync(path) : null;
        }

        return await Gateway.ReadObjectAsync(Bucket!, StoredName(digest));
    }

    /// <summary>Puts bytes under a digest behind the server's back, as a crash between content and its unit leaves them.</summary>
    public Task WriteContentAsync(string dataDir, string digest, byte[] bytes) => WriteAsync(dataDir, StoredName(digest), bytes);

    /// <summary>Deletes a digest's content behind the server's back.</summary>
    public Task DeleteContentAsync(string dataDir, string digest) => DeleteAsync(dataDir, StoredName(digest));

    /// <summary>Puts something not named by a digest among the content; returns its name as the server's listing gives it.</summary>
    public async Task<string> WriteStrayAsync(string dataDir, string name)
    {
        var stored = Gateway is null ? Path.Combine("content", "sha256", name) : $"content/sha256/{name}";
        await WriteAsync(dataDir, stored, "x"u8.ToArray());
        return stored;
    }

    /// <summary>Deletes what <see cref="WriteStrayAsync"/> put.</summary>
    public Task DeleteStrayAsync(string dataDir, string stored) => DeleteAsync(dataDir, stored);

    /// <summary>Where the content stores keep a digest's content: content/ALG/HH/HEX, under the data folder or as the bucket's key.</summary>
    private string StoredName(string digest)
    {
        var (algorithm, hex) = (digest[..digest.IndexOf(':', StringComparison.Ordinal)], digest[(digest.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        return Gateway is null ? Path.Combine("content", algorithm, hex[..2], hex) : $"content/{algorithm}/{hex[..2]}/{hex}";
    }

    private async Task WriteAsync(string dataDir, string stored, byte[] bytes)
    {
        if (Gateway is null)
        {
            var path = Path.Combine(dataDir, stored);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, bytes);
            return;
        }

        await Gateway.WriteObjectAsync(Bucket!, stored, bytes);
    }

    private async Task DeleteAsync(string dataDir, string stored)
    {
        if (Gateway is null)
        {
            File.Delete(Path.Combine(dataDir, stored));
            return;
        }

        await Gateway.DeleteObjectAsync(Bucket!, stored);
    }

    public async ValueTask DisposeAsync()
    {
        if (ConnectionString is not null)
        {
            await (await PostgreSqlCluster.SharedAsync()).DropDatabaseAsync(ConnectionString);
        }

        if (Gateway is not null)
        {
            await Gateway.DeleteBucketAsync(Bucket!);
        }
    }
}
