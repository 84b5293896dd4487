using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Berth.Server.Promotion;

/// <summary>
/// The units a Pulp 2 criteria picks: <c>{"type_ids"?, "filters"?: {"unit": {...}}}</c>; no types means every type.
/// </summary>
public sealed record UnitSelection(IReadOnlyCollection<string>? TypeIds, UnitFilter Filter)
{
    public static UnitSelection Read(JsonObject? criteria)
    {
        criteria ??= [];
        RequestFields.RejectUnknown(criteria, "criteria", ContentError.InvalidRequest, "type_ids", "filters");
        var typeIds = RequestFields.OptionalStrings(criteria, "type_ids", "criteria", ContentError.InvalidRequest);
        var filters = RequestFields.OptionalObject(criteria, "filters", "criteria", ContentError.InvalidRequest) ?? [];
        RequestFields.RejectUnknown(filters, "criteria.filters", ContentError.InvalidRequest, "unit");
        var unit = RequestFields.OptionalObject(filters, "unit", "criteria.filters", ContentError.InvalidRequest) ?? [];
        return new UnitSelection(typeIds, UnitFilter.Read(unit));
    }

    public bool Matches(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return (TypeIds is null || TypeIds.Contains(unit.TypeId)) && Filter.Matches(unit);
    }
}
