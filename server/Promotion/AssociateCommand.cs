using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Units;

namespace Berth.Server.Promotion;

/// <summary>
/// The body of <c>POST /repositories/{dest}/actions/associate/</c>, in Pulp 2's shape:
/// <c>{"source_repo_id", "criteria": UNIT ASSOCIATION CRITERIA (<see cref="UnitSearch"/>), "override_config"?:
/// {"referrers": true}}</c>: the units the criteria chooses in the source, with all they need; with referrers, the
/// manifests whose subject is a promoted manifest (signatures, SBOMs) come along too.
/// </summary>
public sealed record AssociateCommand(string SourceRepositoryId, UnitCriteria Criteria, bool WithReferrers = false)
{
    public static AssociateCommand Read(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, "source_repo_id", "criteria", "override_config");
        var source = RequestFields.RequireString(body, "source_repo_id", "request", ContentError.InvalidRequest);
        var options = RequestFields.OptionalObject(body, "override_config", "request", ContentError.InvalidRequest) ?? [];
        RequestFields.RejectUnknown(options, "override_config", ContentError.InvalidRequest, "referrers");
        var referrers = options["referrers"] switch
        {
            null => false,
            JsonValue value when value.TryGetValue<bool>(out var flag) => flag,
            _ => throw new ContentException(ContentError.InvalidRequest, "override_config.referrers must be true or false"),
        };
        return new AssociateCommand(source, UnitSearch.Read(RequestFields.OptionalObject(body, "criteria", "request", ContentError.InvalidRequest)).Criteria, referrers);
    }
}
