using Berth.Plugins;

namespace Berth.Server.Orphans;

/// <summary>A unit in no repository, and since when: the later of its last import and its last removal.</summary>
public sealed record Orphan(Unit Unit, DateTimeOffset Since);
