using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Berth.Server.Criteria;

/// <summary>How a criteria is refused: 400 in the content API's shape, naming where in the request the fault is.</summary>
internal static class CriteriaErrors
{
    public static ContentException Invalid(string where, string message) => new(
        ContentError.InvalidRequest,
        $"{where}: {message}",
        new JsonObject { ["property_names"] = new JsonArray(where) });
}
