using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Server.Criteria;

/// <summary>
/// A value a criteria compares with, or one found in what it searches. Values of different kinds are never equal and
/// never ordered against each other (a number is not greater than a string), as in Mongo.
/// </summary>
public abstract record CriteriaValue
{
    public static CriteriaValue Of(JsonNode? node) => node switch
    {
        null => Nothing.Instance,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => new Text(value.GetValue<string>()),
            JsonValueKind.Number when NumberOf(value) is { } number => new Number(number),
            JsonValueKind.True => new Flag(true),
            JsonValueKind.False => new Flag(false),
            JsonValueKind.Null => Nothing.Instance,
            _ => Composite.Instance,
        },
        _ => Composite.Instance,
    };

    /// <summary>
    /// The number a JSON value holds, from its text: a value made in code (a document's, read from the embedded store)
    /// gives its number only as the type it was made with.
    /// </summary>
    public static decimal? NumberOf(JsonValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    /// <summary>JSON null (or, in a document, a field that holds null).</summary>
    public sealed record Nothing : CriteriaValue
    {
        public static readonly Nothing Instance = new();
    }

    public sealed record Text(string Value) : CriteriaValue;

    public sealed record Number(decimal Value) : CriteriaValue;

    public sealed record Flag(bool Value) : CriteriaValue;

    /// <summary>An instant: <c>{"$date": "ISO 8601"}</c> in a criteria, or a time an association records.</summary>
    public sealed record Time(DateTimeOffset Value) : CriteriaValue;

    /// <summary>An object or array found in a document (or a number too large to compare): it exists, and is equal to no value.</summary>
    public sealed record Composite : CriteriaValue
    {
        public static readonly Composite Instance = new();
    }

    /// <summary>Orders two values of one kind; <see langword="null"/> for values of different kinds.</summary>
    public static int? Compare(CriteriaValue left, CriteriaValue right) => (left, right) switch
    {
        (Text l, Text r) => string.CompareOrdinal(l.Value, r.Value),
        (Number l, Number r) => l.Value.CompareTo(r.Value),
        (Flag l, Flag r) => l.Value.CompareTo(r.Value),
        (Time l, Time r) => l.Value.CompareTo(r.Value),
        (Nothing, Nothing) => 0,
        _ => null,
    };
}
