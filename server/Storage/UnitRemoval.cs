using Berth.Server.Repositories;

namespace Berth.Server.Storage;

/// <summary>A stored unit (by its id) to take out of a repository.</summary>
public sealed record UnitRemoval(RepositoryId Repository, string UnitId);
