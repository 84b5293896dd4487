using System.Text.Json.Serialization;

namespace Berth.Server.Orphans;

/// <summary>How many orphans one unit type has, and where they are listed: Pulp 2's <c>GET /content/orphans/</c>, by type id.</summary>
public sealed record OrphanTypeSummary(long Count, [property: JsonPropertyName("_href")] string Href);
