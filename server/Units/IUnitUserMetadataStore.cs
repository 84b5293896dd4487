using System.Text.Json.Nodes;

namespace Berth.Server.Units;

/// <summary>
/// What users set on a unit besides what its importer recorded (Pulp 2's <c>pulp_user_metadata</c>). It is kept with the
/// unit, apart from its metadata, so that importing the unit again leaves it as it was.
/// </summary>
public interface IUnitUserMetadataStore
{
    /// <summary>The user metadata of a unit: an empty object when none was set; <see langword="null"/> when there is no such unit.</summary>
    Task<JsonObject?> FindAsync(string typeId, string unitId, CancellationToken cancellationToken);

    /// <summary>Replaces the user metadata of a unit; whether there is such a unit.</summary>
    Task<bool> SetAsync(string typeId, string unitId, JsonObject userMetadata, CancellationToken cancellationToken);
}
