using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Berth.Server.Promotion;

/// <summary>
/// The body of <c>POST /repositories/{dest}/actions/associate/</c>, in Pulp 2's shape:
/// <c>{"source_repo_id", "criteria": {"type_ids"?, "filters"?: {"unit": {FIELD: VALUE | {"$in": [VALUES]}}}}}</c>.
/// </summary>
public sealed record AssociateCommand(string SourceRepositoryId, UnitSelection Selection)
{
    public static AssociateCommand Read(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "source_repo_id", "criteria", "override_config");
        var source = RequestFields.RequireString(body, "source_repo_id", "request", ContentError.InvalidRequest);
        return new AssociateCommand(source, UnitSelection.Read(RequestFields.OptionalObject(body, "criteria", "request", ContentError.InvalidRequest)));
    }
}
