using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Berth.Server.Storage.Migration;

/// <summary>
/// A unit as a store keeps it, with what only stores see: when it was stored, last saved and last released, whether
/// its references were recorded (units stored before references were kept have none yet), and what users set on it
/// (<see cref="Units.IUnitUserMetadataStore"/>; <see langword="null"/>: nothing).
/// </summary>
public sealed record StoredUnit(
    Unit Unit, DateTimeOffset Created, DateTimeOffset Updated, DateTimeOffset? Released, bool ReferencesRecorded, JsonObject? UserMetadata = null);
