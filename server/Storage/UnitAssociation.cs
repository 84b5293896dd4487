using Berth.Plugins;
using Berth.Server.Repositories;

namespace Berth.Server.Storage;

/// <summary>A unit to associate with a repository; the store finds the stored unit by its type and key.</summary>
public sealed record UnitAssociation(RepositoryId Repository, Unit Unit);
