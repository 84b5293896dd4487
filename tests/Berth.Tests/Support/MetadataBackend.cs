namespace Berth.Tests.Support;

/// <summary>The metadata store a fixture's server runs on.</summary>
public enum MetadataBackend
{
    /// <summary>
    /// The run's: the embedded store, or what <c>BERTH_TEST_METADATA</c> names (<c>PostgreSql</c>: the whole suite on
    /// PostgreSQL, see the README's "Set-up").
    /// </summary>
    Default,

    LiteDb,
    PostgreSql,
}
