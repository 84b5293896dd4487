using System.Globalization;
using System.Text.Json;
using Berth.Server.Criteria;
using Npgsql;
using NpgsqlTypes;
using SortKey = Berth.Server.Criteria.SortKey;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// Writes a criteria's <see cref="Condition"/>s and <see cref="SortKey"/>s as SQL, every value a parameter: fields of a
/// JSON document through lax JSON paths (each element of an array, as <see cref="JsonFieldValues"/> walks them), or
/// columns. Strings compare by code point (<c>COLLATE "C"</c>), values of different kinds never equal or order against
/// each other: the answers of <see cref="ConditionEvaluator"/>, which the store contract tests check on both stores.
/// </summary>
internal sealed class PostgreSqlConditions
{
    private readonly List<NpgsqlParameter> _parameters = [];

    public IReadOnlyList<NpgsqlParameter> Parameters => _parameters;

    /// <summary>The condition as an SQL boolean, its fields where <paramref name="fieldOf"/> says they are kept.</summary>
    public string Where(Condition condition, Func<FieldPath, Field> fieldOf) => condition switch
    {
        Condition.AllOf { Conditions.Count: 0 } => "TRUE",
        Condition.AllOf all => "(" + string.Join(" AND ", all.Conditions.Select(c => Where(c, fieldOf))) + ")",
        Condition.AnyOf any => "(" + string.Join(" OR ", any.Conditions.Select(c => Where(c, fieldOf))) + ")",
        Condition.Not not => $"(NOT {Where(not.Condition, fieldOf)})",
        Condition.FieldTest test => fieldOf(test.Field) switch
        {
            Field.InDocument document => InDocument(document.Document, test),
            Field.Column column => InColumn(column, test),
            _ => throw new ArgumentOutOfRangeException(nameof(condition)),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(condition)),
    };

    /// <summary>ORDER BY terms for the keys (none: empty).</summary>
    public IEnumerable<string> OrderBy(IEnumerable<SortKey> keys, Func<FieldPath, Field> fieldOf) => keys.SelectMany<SortKey, string>(key =>
    {
        var direction = key.Descending ? "DESC" : "ASC";
        switch (fieldOf(key.Field))
        {
            case Field.Column column:
                return [$"{column.Sql}{(column.IsTime ? "" : " COLLATE \"C\"")} {direction}"];
            case Field.InDocument document:
                var value = $"({document.Document} #> {Add(NpgsqlDbType.Array | NpgsqlDbType.Text, key.Field.Segments.ToArray())})";
                return
                [
                    $"CASE WHEN {value} IS NULL OR jsonb_typeof({value}) = 'null' THEN 0 WHEN jsonb_typeof({value}) = 'number' THEN 1 " +
                        $"WHEN jsonb_typeof({value}) = 'string' THEN 2 WHEN jsonb_typeof({value}) = 'boolean' THEN 3 ELSE 4 END {direction}",
                    $"CASE WHEN jsonb_typeof({value}) = 'number' THEN ({value} #>> '{{}}')::numeric END {direction}",
                    $"CASE WHEN jsonb_typeof({value}) IN ('string', 'boolean') THEN ({value} #>> '{{}}') END COLLATE \"C\" {direction}",
                ];
            default:
                throw new ArgumentOutOfRangeException(nameof(keys));
        }
    });

    private string InDocument(string document, Condition.FieldTest test)
    {
        var path = JsonPath(test.Field);
        string Elements(string predicate) =>
            $"EXISTS (SELECT 1 FROM jsonb_path_query({document}, {Add(NpgsqlDbType.JsonPath, path + "[*]")}) e WHERE {predicate})";
        switch (test.Operator)
        {
            case TestOperator.Exists:
                return $"jsonb_path_exists({document}, {Add(NpgsqlDbType.JsonPath, path)})";
            case TestOperator.Equal:
                var terms = new List<string>();
                var values = test.Values.Where(v => v is CriteriaValue.Text or CriteriaValue.Number or CriteriaValue.Flag).Select(Json).ToArray();
                if (values.Length > 0)
                {
                    terms.Add(Elements($"e = ANY({Add(NpgsqlDbType.Array | NpgsqlDbType.Jsonb, values)})"));
                }

                if (test.Values.Any(v => v is CriteriaValue.Nothing))
                {
                    terms.Add($"NOT jsonb_path_exists({document}, {Add(NpgsqlDbType.JsonPath, path)})");
                    terms.Add(Elements("e = 'null'::jsonb"));
                }

                return terms.Count == 0 ? "FALSE" : "(" + string.Join(" OR ", terms) + ")";
            case TestOperator.Matches:
                return Elements($"jsonb_typeof(e) = 'string' AND (e #>> '{{}}') {(test.Pattern!.IgnoreCase ? "~*" : "~")} {Add(NpgsqlDbType.Text, test.Pattern.Source)}");
            default:
                var comparison = Comparison(test.Operator);
                return test.Values[0] switch
                {
                    CriteriaValue.Text text => Elements($"jsonb_typeof(e) = 'string' AND (e #>> '{{}}') COLLATE \"C\" {comparison} {Add(NpgsqlDbType.Text, text.Value)}"),
                    CriteriaValue.Number number => Elements($"jsonb_typeof(e) = 'number' AND (e #>> '{{}}')::numeric {comparison} {Add(NpgsqlDbType.Numeric, number.Value)}"),
                    CriteriaValue.Flag flag => Elements($"jsonb_typeof(e) = 'boolean' AND (e #>> '{{}}')::boolean {comparison} {Add(NpgsqlDbType.Boolean, flag.Value)}"),
                    _ => "FALSE",
                };
        }
    }

    private string InColumn(Field.Column column, Condition.FieldTest test)
    {
        switch (test.Operator)
        {
            case TestOperator.Exists:
                return "TRUE";
            case TestOperator.Equal when column.IsTime:
                var times = test.Values.OfType<CriteriaValue.Time>().Select(t => t.Value.UtcDateTime).ToArray();
                return times.Length == 0 ? "FALSE" : $"{column.Sql} = ANY({Add(NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, times)})";
            case TestOperator.Equal:
                var texts = test.Values.OfType<CriteriaValue.Text>().Select(t => t.Value).ToArray();
                return texts.Length == 0 ? "FALSE" : $"{column.Sql} = ANY({Add(NpgsqlDbType.Array | NpgsqlDbType.Text, texts)})";
            case TestOperator.Matches:
                return column.IsTime ? "FALSE" : $"{column.Sql} {(test.Pattern!.IgnoreCase ? "~*" : "~")} {Add(NpgsqlDbType.Text, test.Pattern.Source)}";
            default:
                var comparison = Comparison(test.Operator);
                return (test.Values[0], column.IsTime) switch
                {
                    (CriteriaValue.Time time, true) => $"{column.Sql} {comparison} {Add(NpgsqlDbType.TimestampTz, time.Value.UtcDateTime)}",
                    (CriteriaValue.Text text, false) => $"{column.Sql} COLLATE \"C\" {comparison} {Add(NpgsqlDbType.Text, text.Value)}",
                    _ => "FALSE",
                };
        }
    }

    private static string Comparison(TestOperator test) => test switch
    {
        TestOperator.Greater => ">",
        TestOperator.GreaterOrEqual => ">=",
        TestOperator.Less => "<",
        _ => "<=",
    };

    private static string Json(CriteriaValue value) => value switch
    {
        CriteriaValue.Text text => JsonSerializer.Serialize(text.Value),
        CriteriaValue.Number number => number.Value.ToString(CultureInfo.InvariantCulture),
        CriteriaValue.Flag flag => flag.Value ? "true" : "false",
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary><c>$."a"."b"</c>: each step quoted, so that no field name is read as path syntax.</summary>
    private static string JsonPath(FieldPath field) => "$" + string.Concat(field.Segments.Select(s => "." + JsonSerializer.Serialize(s)));

    private string Add(NpgsqlDbType type, object value)
    {
        var name = $"criteria{_parameters.Count}";
        _parameters.Add(new NpgsqlParameter(name, type) { Value = value });
        return "@" + name;
    }

    /// <summary>Where a field a criteria names is kept.</summary>
    public abstract record Field
    {
        /// <summary>In a JSON document (an SQL expression of type jsonb).</summary>
        public sealed record InDocument(string Document) : Field;

        /// <summary>In a column; a time column compares with times, any other with strings.</summary>
        public sealed record Column(string Sql, bool IsTime) : Field;
    }
}
