using System.Text.Json.Nodes;

namespace Berth.Server.Units;

/// <summary>
/// A criteria's <c>fields</c>: which of a unit's metadata fields, and which of its association's, a search shows.
/// The unit's <c>_id</c> and <c>_content_type_id</c>, and the association's unit id and type, are always shown, as in
/// Pulp 2. <see langword="null"/>: all of them.
/// </summary>
public sealed record UnitFields(IReadOnlySet<string>? Unit, IReadOnlySet<string>? Association)
{
    public const int MaxNames = 100;

    public static UnitFields All { get; } = new(null, null);

    public UnitResponse Shape(UnitResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (Unit is not null)
        {
            response = response with
            {
                Metadata = new JsonObject([.. response.Metadata
                    .Where(f => Unit.Contains(f.Key) || f.Key is "_id" or "_content_type_id")
                    .Select(f => KeyValuePair.Create(f.Key, f.Value?.DeepClone()))]),
            };
        }

        return Association is null ? response : response with
        {
            RepoId = Association.Contains(AssociationFields.Names.RepoId) ? response.RepoId : null,
            Created = Association.Contains(AssociationFields.Names.Created) ? response.Created : null,
            Updated = Association.Contains(AssociationFields.Names.Updated) ? response.Updated : null,
        };
    }
}
