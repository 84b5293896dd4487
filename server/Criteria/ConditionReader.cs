using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Server.Criteria;

/// <summary>
/// Reads a filter in Mongo's query syntax, as Pulp 2's criteria carry it: <c>{FIELD: VALUE}</c>, and per field
/// <c>$eq $ne $gt $gte $lt $lte $in $nin $exists $regex</c> (with <c>$options: "i"</c>) and <c>$not</c>; and
/// <c>$and $or $nor</c> over filters. Values are strings, numbers, booleans, null, or <c>{"$date": ISO 8601}</c>.
/// Anything else is refused with a 400 naming where it is, and so is a filter beyond the limits below, so that no
/// request can make a search arbitrarily expensive.
/// </summary>
public sealed class ConditionReader
{
    public const int MaxDepth = 8;
    public const int MaxConditions = 200;
    public const int MaxValues = 5000;

    private static readonly string[] FieldOperators = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex", "$options", "$not"];

    private readonly FieldCatalog _catalog;
    private int _conditions;
    private int _values;

    private ConditionReader(FieldCatalog catalog) => _catalog = catalog;

    public static Condition Read(JsonObject filter, FieldCatalog catalog, string where)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(catalog);
        return filter.Count == 0 ? Condition.Always : new ConditionReader(catalog).Filter(filter, where, depth: 0);
    }

    private Condition Filter(JsonObject filter, string where, int depth)
    {
        if (depth > MaxDepth)
        {
            throw CriteriaErrors.Invalid(where, $"filters may nest at most {MaxDepth} deep");
        }

        var conditions = new List<Condition>();
        foreach (var (name, value) in filter)
        {
            var at = $"{where}.{name}";
            conditions.Add(name switch
            {
                "$and" => new Condition.AllOf(Filters(value, at, depth)),
                "$or" => new Condition.AnyOf(Filters(value, at, depth)),
                "$nor" => new Condition.Not(new Condition.AnyOf(Filters(value, at, depth))),
                _ when name.StartsWith('$') => throw CriteriaErrors.Invalid(at, $"{FieldPath.Shorten(name)} is not supported; a filter takes $and, $or, $nor and field names"),
                _ => Field(_catalog.Field(name, at), value, at, depth),
            });
        }

        return conditions.Count == 1 ? conditions[0] : new Condition.AllOf(conditions);
    }

    private List<Condition> Filters(JsonNode? value, string where, int depth)
    {
        if (value is not JsonArray { Count: > 0 } array || array.Any(item => item is not JsonObject))
        {
            throw CriteriaErrors.Invalid(where, "give a non-empty array of filters (objects)");
        }

        return [.. array.Select((item, i) => Filter((JsonObject)item!, $"{where}[{i}]", depth + 1))];
    }

    private Condition Field(FieldPath field, JsonNode? value, string where, int depth)
    {
        if (value is JsonObject operators && !IsDate(operators))
        {
            if (operators.Count == 0 || operators.Any(o => !o.Key.StartsWith('$')))
            {
                throw CriteriaErrors.Invalid(where, "give a value, or an object of operators ($eq, $in, $regex, ...); to match inside an object, name the field dotted (config.digest)");
            }

            return Operators(field, operators, where, depth);
        }

        return Count(new Condition.FieldTest(field, TestOperator.Equal, [Value(field, value, where)]));
    }

    private Condition Operators(FieldPath field, JsonObject operators, string where, int depth)
    {
        if (depth > MaxDepth)
        {
            throw CriteriaErrors.Invalid(where, $"filters may nest at most {MaxDepth} deep");
        }

        var conditions = new List<Condition>();
        foreach (var (name, operand) in operators)
        {
            var at = $"{where}.{name}";
            switch (name)
            {
                case "$eq":
                    conditions.Add(Count(new Condition.FieldTest(field, TestOperator.Equal, [Value(field, operand, at)])));
                    break;
                case "$ne":
                    conditions.Add(new Condition.Not(Count(new Condition.FieldTest(field, TestOperator.Equal, [Value(field, operand, at)]))));
                    break;
                case "$in":
                    conditions.Add(Count(new Condition.FieldTest(field, TestOperator.Equal, Values(field, operand, at))));
                    break;
                case "$nin":
                    conditions.Add(new Condition.Not(Count(new Condition.FieldTest(field, TestOperator.Equal, Values(field, operand, at)))));
                    break;
                case "$gt" or "$gte" or "$lt" or "$lte":
                    var bound = Value(field, operand, at);
                    if (bound is CriteriaValue.Nothing)
                    {
                        throw CriteriaErrors.Invalid(at, "compare with a string, number, boolean or date; to find null, use $eq null");
                    }

                    conditions.Add(Count(new Condition.FieldTest(field, name switch
                    {
                        "$gt" => TestOperator.Greater,
                        "$gte" => TestOperator.GreaterOrEqual,
                        "$lt" => TestOperator.Less,
                        _ => TestOperator.LessOrEqual,
                    }, [bound])));
                    break;
                case "$exists":
                    if (operand?.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        throw CriteriaErrors.Invalid(at, "give true or false");
                    }

                    var exists = Count(new Condition.FieldTest(field, TestOperator.Exists, []));
                    conditions.Add(operand.GetValue<bool>() ? exists : new Condition.Not(exists));
                    break;
                case "$regex":
                    if (operand?.GetValueKind() is not JsonValueKind.String)
                    {
                        throw CriteriaErrors.Invalid(at, "give the regular expression as a string");
                    }

                    var options = operators["$options"] switch
                    {
                        null => "",
                        JsonValue text when text.GetValueKind() == JsonValueKind.String => text.GetValue<string>(),
                        _ => throw CriteriaErrors.Invalid($"{where}.$options", "give the options as a string"),
                    };
                    conditions.Add(Count(new Condition.FieldTest(field, TestOperator.Matches, [], PortablePattern.Parse(operand.GetValue<string>(), options, at))));
                    break;
                case "$options":
                    if (!operators.ContainsKey("$regex"))
                    {
                        throw CriteriaErrors.Invalid(at, "$options goes with $regex");
                    }

                    break;
                case "$not":
                    if (operand is not JsonObject inner || inner.Count == 0 || IsDate(inner) || inner.Any(o => !o.Key.StartsWith('$')))
                    {
                        throw CriteriaErrors.Invalid(at, "give an object of operators, such as {\"$regex\": \"^v1\"}");
                    }

                    conditions.Add(new Condition.Not(Operators(field, inner, at, depth + 1)));
                    break;
                default:
                    throw CriteriaErrors.Invalid(at, $"{FieldPath.Shorten(name)} is not supported; a field takes {string.Join(", ", FieldOperators)}");
            }
        }

        return conditions.Count == 1 ? conditions[0] : new Condition.AllOf(conditions);
    }

    private List<CriteriaValue> Values(FieldPath field, JsonNode? operand, string where)
    {
        if (operand is not JsonArray array)
        {
            throw CriteriaErrors.Invalid(where, "give an array of values");
        }

        _values += array.Count;
        if (_values > MaxValues)
        {
            throw CriteriaErrors.Invalid(where, $"a criteria may list at most {MaxValues} values");
        }

        return [.. array.Select((item, i) => Value(field, item, $"{where}[{i}]"))];
    }

    private CriteriaValue Value(FieldPath field, JsonNode? node, string where)
    {
        var time = _catalog.IsTime(field);
        switch (node)
        {
            case JsonObject date when IsDate(date):
                return new CriteriaValue.Time(Instant(date["$date"]!.GetValue<string>(), where));
            case JsonValue text when time && text.GetValueKind() == JsonValueKind.String:
                return new CriteriaValue.Time(Instant(text.GetValue<string>(), where));
            case JsonValue number when number.GetValueKind() == JsonValueKind.Number && CriteriaValue.NumberOf(number) is null:
                throw CriteriaErrors.Invalid(where, "the number is out of range");
            case null or JsonValue:
                return CriteriaValue.Of(node);
            default:
                throw CriteriaErrors.Invalid(where, "give a string, number, boolean, null or {\"$date\": \"ISO 8601 time\"}");
        }
    }

    private static bool IsDate(JsonObject value) =>
        value.Count == 1 && value["$date"] is JsonValue date && date.GetValueKind() == JsonValueKind.String;

    private static DateTimeOffset Instant(string text, string where) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant
            : throw CriteriaErrors.Invalid(where, $"'{FieldPath.Shorten(text)}' is not an ISO 8601 time, such as 2026-12-03T10:00:00Z");

    private Condition.FieldTest Count(Condition.FieldTest test)
    {
        if (++_conditions > MaxConditions)
        {
            throw CriteriaErrors.Invalid("criteria", $"a criteria may hold at most {MaxConditions} conditions");
        }

        return test;
    }
}
