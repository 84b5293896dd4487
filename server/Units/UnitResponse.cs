using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Berth.Plugins;

namespace Berth.Server.Units;

/// <summary>
/// A unit as the content API shows it. Its metadata holds the unit key's fields too, as Pulp's did, so a
/// client finds a blob's digest and size in one place.
/// </summary>
public sealed record UnitResponse(
    string UnitTypeId,
    string UnitId,
    IReadOnlyDictionary<string, string> UnitKey,
    JsonObject Metadata,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RepoId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? Created = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? Updated = null)
{
    /// <summary>The field of a unit's document (<see cref="Document"/>) that holds its id.</summary>
    public const string IdField = "_id";

    /// <summary>The field of a unit's document that holds its type id.</summary>
    public const string TypeField = "_content_type_id";

    /// <summary>The field of a unit's document that holds what users set on it, once they have.</summary>
    public const string UserMetadataField = "pulp_user_metadata";

    public static UnitResponse From(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var metadata = new JsonObject();
        foreach (var (name, value) in unit.Key.Fields)
        {
            metadata[name] = value;
        }

        foreach (var (name, value) in unit.Metadata)
        {
            metadata[name] = value?.DeepClone();
        }

        metadata[IdField] = unit.Id;
        metadata[TypeField] = unit.TypeId;
        return new UnitResponse(unit.TypeId, unit.Id!, unit.Key.Fields, metadata);
    }

    public static UnitResponse From(RepositoryUnit member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return From(member.Unit) with
        {
            Metadata = Document(member.Unit, member.UserMetadata),
            RepoId = member.RepositoryId.Value,
            Created = member.Created,
            Updated = member.Updated,
        };
    }

    /// <summary>
    /// A unit's fields in one document, as searches show its metadata and as criteria filter it: its key's fields, what
    /// its importer recorded, <c>_id</c>, <c>_content_type_id</c>, and what users set on it, where Pulp 2 shows it, once
    /// a user has set it.
    /// </summary>
    public static JsonObject Document(Unit unit, JsonObject? userMetadata)
    {
        var document = From(unit).Metadata;
        if (userMetadata is not null)
        {
            document[UserMetadataField] = userMetadata.DeepClone();
        }

        return document;
    }
}
