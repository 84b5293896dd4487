using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Criteria;

namespace Berth.Server.Units;

/// <summary>
/// Pulp 2's unit association criteria, as <c>search/units/</c>, <c>associate</c> and <c>unassociate</c> take them:
/// <c>{"type_ids", "filters": {"unit", "association"}, "sort": {"unit", "association"}, "limit", "skip",
/// "fields": {"unit", "association"}, "remove_duplicates"}</c>, every part optional. Filters are Mongo queries
/// (<see cref="ConditionReader"/>); <c>remove_duplicates</c> is taken and changes nothing, as a unit is associated with
/// a repository once.
/// </summary>
public sealed record UnitSearch(UnitCriteria Criteria, UnitFields Fields)
{
    private const string Where = "criteria";

    public static UnitSearch Read(JsonObject? criteria)
    {
        criteria ??= [];
        RequestFields.RejectUnknown(criteria, Where, ContentError.InvalidRequest, "type_ids", "filters", "sort", "limit", "skip", "fields", "remove_duplicates");
        var typeIds = RequestFields.OptionalStrings(criteria, "type_ids", Where, ContentError.InvalidRequest);
        var filters = Part(criteria, "filters");
        var sort = Part(criteria, "sort");
        var fields = Part(criteria, "fields");
        var skip = RequestFields.OptionalNonNegativeInteger(criteria, "skip", Where, ContentError.InvalidRequest) ?? 0;
        var limit = RequestFields.OptionalPositiveInteger(criteria, "limit", Where, ContentError.InvalidRequest);
        _ = RequestFields.OptionalBoolean(criteria, "remove_duplicates", Where, ContentError.InvalidRequest);
        return new UnitSearch(
            new UnitCriteria(typeIds, (int)Math.Min(skip, int.MaxValue), limit is null ? null : (int)Math.Min(limit.Value, int.MaxValue))
            {
                UnitFilter = Filter(filters, "unit", FieldCatalog.FreeForm),
                AssociationFilter = Filter(filters, "association", AssociationFields.Catalog),
                UnitSort = SortOrder.Read(sort["unit"], FieldCatalog.FreeForm, $"{Where}.sort.unit"),
                AssociationSort = SortOrder.Read(sort["association"], AssociationFields.Catalog, $"{Where}.sort.association"),
            },
            new UnitFields(Names(fields, "unit"), Names(fields, "association")));
    }

    private static JsonObject Part(JsonObject criteria, string name)
    {
        var part = RequestFields.OptionalObject(criteria, name, Where, ContentError.InvalidRequest) ?? [];
        RequestFields.RejectUnknown(part, $"{Where}.{name}", ContentError.InvalidRequest, "unit", "association");
        return part;
    }

    private static Condition Filter(JsonObject filters, string name, FieldCatalog catalog) =>
        RequestFields.OptionalObject(filters, name, $"{Where}.filters", ContentError.InvalidRequest) is { } filter
            ? ConditionReader.Read(filter, catalog, $"{Where}.filters.{name}")
            : Condition.Always;

    private static HashSet<string>? Names(JsonObject fields, string name)
    {
        var names = RequestFields.OptionalStrings(fields, name, $"{Where}.fields", ContentError.InvalidRequest);
        if (names is { Count: > UnitFields.MaxNames })
        {
            throw CriteriaErrors.Invalid($"{Where}.fields.{name}", $"name at most {UnitFields.MaxNames} fields");
        }

        return names?.ToHashSet(StringComparer.Ordinal);
    }
}
