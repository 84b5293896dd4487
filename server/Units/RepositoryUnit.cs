using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Repositories;

namespace Berth.Server.Units;

/// <summary>
/// A unit as a member of a repository: the association and when it was made, and what users set on the unit, if they did
/// (see <see cref="IUnitUserMetadataStore"/>).
/// </summary>
public sealed record RepositoryUnit(RepositoryId RepositoryId, Unit Unit, DateTimeOffset Created, DateTimeOffset Updated, JsonObject? UserMetadata = null);
