namespace Berth.Server.Configuration;

/// <summary>The metadata stores a server can run on.</summary>
public enum MetadataProvider
{
    /// <summary>An embedded LiteDB file in the data folder: one server, nothing else to run.</summary>
    LiteDb,

    /// <summary>A PostgreSQL database, which several servers can share.</summary>
    PostgreSql,
}
