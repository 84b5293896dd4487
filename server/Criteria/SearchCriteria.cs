using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Berth.Server.Criteria;

/// <summary>
/// Pulp 2's plain criteria, for searches of one kind of document (content units of a type, users):
/// <c>{"filters", "sort", "limit", "skip", "fields"}</c>, every part optional. <c>filters</c> is a Mongo query
/// (<see cref="ConditionReader"/>), <c>sort</c> a list of <c>[FIELD, DIRECTION]</c> pairs, <c>fields</c> the fields to show.
/// </summary>
public sealed record SearchCriteria(Condition Filter, IReadOnlyList<SortKey> Sort, int Skip, int? Limit, IReadOnlySet<string>? Fields)
{
    public const int MaxFields = 100;

    public static SearchCriteria All { get; } = new(Condition.Always, [], 0, null, null);

    public static SearchCriteria Read(JsonObject? criteria, FieldCatalog catalog, string where = "criteria")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        criteria ??= [];
        RequestFields.RejectUnknown(criteria, where, ContentError.InvalidRequest, "filters", "sort", "limit", "skip", "fields");
        var filters = RequestFields.OptionalObject(criteria, "filters", where, ContentError.InvalidRequest);
        var skip = RequestFields.OptionalNonNegativeInteger(criteria, "skip", where, ContentError.InvalidRequest) ?? 0;
        var limit = RequestFields.OptionalPositiveInteger(criteria, "limit", where, ContentError.InvalidRequest);
        var fields = RequestFields.OptionalStrings(criteria, "fields", where, ContentError.InvalidRequest);
        if (fields is { Count: > MaxFields })
        {
            throw CriteriaErrors.Invalid($"{where}.fields", $"name at most {MaxFields} fields");
        }

        return new SearchCriteria(
            filters is null ? Condition.Always : ConditionReader.Read(filters, catalog, $"{where}.filters"),
            SortOrder.Read(criteria["sort"], catalog, $"{where}.sort"),
            (int)Math.Min(skip, int.MaxValue),
            limit is null ? null : (int)Math.Min(limit.Value, int.MaxValue),
            fields?.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Orders, skips and limits documents tested in memory, by the criteria's sort and then as they came.</summary>
    public IEnumerable<T> Page<T>(IEnumerable<T> documents, Func<T, IFieldValues> fieldsOf)
    {
        ArgumentNullException.ThrowIfNull(fieldsOf);
        var chosen = documents.Where(d => ConditionEvaluator.Holds(Filter, fieldsOf(d)));
        if (Sort.Count > 0)
        {
            chosen = chosen.Order(Comparer<T>.Create((left, right) => Compare(fieldsOf(left), fieldsOf(right))));
        }

        return chosen.Skip(Skip).Take(Limit ?? int.MaxValue);
    }

    /// <summary>Orders two documents by the sort keys; 0 when they tie on all.</summary>
    public int Compare(IFieldValues left, IFieldValues right) => Compare(Sort, left, right);

    public static int Compare(IEnumerable<SortKey> keys, IFieldValues left, IFieldValues right)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        foreach (var key in keys)
        {
            var order = SortKey.Compare(left.SortValueOf(key.Field), right.SortValueOf(key.Field));
            if (order != 0)
            {
                return key.Descending ? -order : order;
            }
        }

        return 0;
    }

    /// <summary>The document with only the fields asked for, and those always shown.</summary>
    public JsonObject Shape(JsonObject document, params IReadOnlyCollection<string> alwaysShown)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(alwaysShown);
        return Fields is null
            ? document
            : new JsonObject([.. document.Where(f => Fields.Contains(f.Key) || alwaysShown.Contains(f.Key)).Select(f => KeyValuePair.Create(f.Key, f.Value?.DeepClone()))]);
    }
}
