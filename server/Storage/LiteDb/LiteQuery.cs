using LiteDB;

namespace Berth.Server.Storage.LiteDb;

/// <summary>
/// Queries whose values are parameters. LiteDB's <c>Query.EQ</c>, <c>In</c>, <c>Between</c> and <c>GT</c> write the
/// value into the expression's text, and every distinct text is parsed, compiled to a new lambda and cached for the
/// life of the process: each lookup by a new digest or key cost about 2 ms of JIT and grew memory for good (measured
/// with LiteDB 5.0.21: 2,000 lookups by distinct keys took 4.2 s and 6,246 JIT compilations; with parameters, 56 ms and
/// none). A parameterised text is compiled once, and still uses the field's index.
/// </summary>
internal static class LiteQuery
{
    public static BsonExpression Equal(string field, BsonValue value) => BsonExpression.Create($"$.{field} = @0", value);

    public static BsonExpression In(string field, IEnumerable<BsonValue> values) => BsonExpression.Create($"$.{field} IN @0", new BsonArray(values));

    public static BsonExpression Between(string field, BsonValue from, BsonValue to) => BsonExpression.Create($"$.{field} BETWEEN @0 AND @1", from, to);

    public static BsonExpression Greater(string field, BsonValue value) => BsonExpression.Create($"$.{field} > @0", value);
}
