using Berth.Plugins;

namespace Berth.Server.Units;

/// <summary>A unit of a repository and the units it references that the repository holds too.</summary>
public sealed record UnitWithReferenced(Unit Unit, IReadOnlyList<Unit> Referenced);
