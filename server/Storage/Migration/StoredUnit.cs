using Berth.Plugins;

namespace Berth.Server.Storage.Migration;

/// <summary>
/// A unit as a store keeps it, with what only stores see: when it was stored, last saved and last released, and whether
/// its references were recorded (units stored before references were kept have none yet).
/// </summary>
public sealed record StoredUnit(Unit Unit, DateTimeOffset Created, DateTimeOffset Updated, DateTimeOffset? Released, bool ReferencesRecorded);
