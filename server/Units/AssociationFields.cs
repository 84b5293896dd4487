using Berth.Server.Criteria;
using Berth.Server.Repositories;

namespace Berth.Server.Units;

/// <summary>The fields of a unit's association with a repository that Pulp 2's criteria filter, sort and choose by.</summary>
public sealed record AssociationFields(RepositoryId RepositoryId, string UnitId, string TypeId, DateTimeOffset Created, DateTimeOffset Updated) : IFieldValues
{
    public static FieldCatalog Catalog { get; } = FieldCatalog.Of(
        [Names.Created, Names.Updated, Names.RepoId, Names.UnitId, Names.UnitTypeId], Names.Created, Names.Updated);

    public bool Has(FieldPath field) => SortValueOf(field) is not null;

    public IEnumerable<CriteriaValue> ValuesOf(FieldPath field) => SortValueOf(field) is { } value ? [value] : [];

    public CriteriaValue? SortValueOf(FieldPath field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.Name switch
        {
            Names.Created => new CriteriaValue.Time(Created),
            Names.Updated => new CriteriaValue.Time(Updated),
            Names.RepoId => new CriteriaValue.Text(RepositoryId.Value),
            Names.UnitId => new CriteriaValue.Text(UnitId),
            Names.UnitTypeId => new CriteriaValue.Text(TypeId),
            _ => null,
        };
    }

    /// <summary>The fields' names, as Pulp 2 called them.</summary>
    public static class Names
    {
        public const string Created = "created";
        public const string Updated = "updated";
        public const string RepoId = "repo_id";
        public const string UnitId = "unit_id";
        public const string UnitTypeId = "unit_type_id";
    }
}
