using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Berth.Server.Units;

/// <summary>A unit as stored, whatever repositories hold it, with what users set on it (see <see cref="IUnitUserMetadataStore"/>).</summary>
public sealed record StoredUnit(Unit Unit, JsonObject? UserMetadata);
