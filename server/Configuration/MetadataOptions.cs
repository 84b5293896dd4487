namespace Berth.Server.Configuration;

/// <summary>Where metadata is kept (<c>Berth:Metadata:*</c>): the embedded LiteDB file by default.</summary>
public sealed class MetadataOptions
{
    public MetadataProvider Provider { get; set; } = MetadataProvider.LiteDb;

    /// <summary>The PostgreSQL connection string (Npgsql's keywords); read only by <see cref="MetadataProvider.PostgreSql"/>.</summary>
    public string? ConnectionString { get; set; }
}
