using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>Dates in BSON: stored as UTC date-times (millisecond precision), read back as UTC whatever LiteDB's kind.</summary>
internal static class BsonDates
{
    public static BsonValue ToBson(DateTimeOffset value) => new(value.UtcDateTime);

    public static DateTimeOffset FromBson(BsonValue value) =>
        new(DateTime.SpecifyKind(value.AsDateTime.ToUniversalTime(), DateTimeKind.Utc));

    public static DateTimeOffset? FromBsonOrNull(BsonValue value) => value.IsNull ? null : FromBson(value);
}
