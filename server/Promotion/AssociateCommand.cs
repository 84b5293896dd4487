using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Berth.Server.Promotion;

/// <summary>
/// The body of <c>POST /repositories/{dest}/actions/associate/</c>, in Pulp 2's shape:
/// <c>{"source_repo_id", "criteria": {"type_ids"?, "filters"?: {"unit": {FIELD: VALUE | {"$in": [VALUES]}}}}}</c>.
/// </summary>
public sealed record AssociateCommand(string SourceRepositoryId, IReadOnlyCollection<string>? TypeIds, UnitFilter Filter)
{
    public static AssociateCommand Read(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "source_repo_id", "criteria", "override_config");
        var source = RequestFields.RequireString(body, "source_repo_id", "request", ContentError.InvalidRequest);
        var criteria = RequestFields.OptionalObject(body, "criteria", "request", ContentError.InvalidRequest) ?? [];
        RequestFields.RejectUnknown(criteria, "criteria", ContentError.InvalidRequest, "type_ids", "filters");
        var typeIds = RequestFields.OptionalStrings(criteria, "type_ids", "criteria", ContentError.InvalidRequest);
        var filters = RequestFields.OptionalObject(criteria, "filters", "criteria", ContentError.InvalidRequest) ?? [];
        RequestFields.RejectUnknown(filters, "criteria.filters", ContentError.InvalidRequest, "unit");
        var unit = RequestFields.OptionalObject(filters, "unit", "criteria.filters", ContentError.InvalidRequest) ?? [];
        return new AssociateCommand(source, typeIds, UnitFilter.Read(unit));
    }
}
