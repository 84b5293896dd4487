using Berth.Server.Repositories;

namespace Berth.Server.Storage.Migration;

/// <summary>A unit in a repository as a store keeps it; <paramref name="Sequence"/> orders a repository's content as it was added.</summary>
public sealed record StoredAssociation(RepositoryId Repository, string UnitId, string TypeId, long Sequence, DateTimeOffset Created, DateTimeOffset Updated);
