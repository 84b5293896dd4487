namespace Berth.Tests.Support;

/// <summary>The stores a fixture's server keeps metadata and content in.</summary>
public enum StorageBackend
{
    /// <summary>
    /// The run's: the embedded store and the data folder, or what <c>BERTH_TEST_STORAGE</c> names (<c>PostgreSql</c>,
    /// <c>PostgreSqlS3</c>: the whole suite on those, see the README's "Set-up").
    /// </summary>
    Default,

    /// <summary>The embedded store, content in the data folder.</summary>
    LiteDb,

    /// <summary>PostgreSQL, content in the data folder.</summary>
    PostgreSql,

    /// <summary>PostgreSQL, content in a bucket of the run's radosgw, blob GETs redirected to presigned URLs.</summary>
    PostgreSqlS3,

    /// <summary>As <see cref="PostgreSqlS3"/>, blob GETs streamed through the server (<c>Redirect</c> off).</summary>
    PostgreSqlS3Streamed,
}
