using Berth.Plugins;
using Berth.Server.Repositories;

namespace Berth.Server.Units;

/// <summary>A unit as a member of a repository: the association and when it was made.</summary>
public sealed record RepositoryUnit(RepositoryId RepositoryId, Unit Unit, DateTimeOffset Created, DateTimeOffset Updated);
