using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Berth.Plugins;
using Berth.Server.Units;

namespace Berth.Server.Orphans;

/// <summary>
/// An orphan as the content API lists it: the unit as everywhere (see <see cref="UnitResponse"/>), with Pulp 2's
/// <c>_id</c>, <c>_content_type_id</c> and <c>_href</c> beside it, so that a Pulp 2 client finds where to read or
/// delete it.
/// </summary>
public sealed record OrphanResponse(
    string UnitTypeId,
    string UnitId,
    IReadOnlyDictionary<string, string> UnitKey,
    JsonObject Metadata,
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("_content_type_id")] string ContentTypeId,
    [property: JsonPropertyName("_href")] string Href)
{
    public static OrphanResponse From(Unit unit)
    {
        var response = UnitResponse.From(unit);
        return new OrphanResponse(
            response.UnitTypeId, response.UnitId, response.UnitKey, response.Metadata, response.UnitId, response.UnitTypeId, ContentApi.OrphanHref(response.UnitTypeId, response.UnitId));
    }
}
