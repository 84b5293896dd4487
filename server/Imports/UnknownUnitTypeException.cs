namespace Berth.Server.Imports;

/// <summary>A unit type no loaded importer handles.</summary>
public sealed class UnknownUnitTypeException(string unitTypeId, IEnumerable<string> known)
    : Exception($"unit type '{unitTypeId}' is not known; the loaded importers handle {string.Join(", ", known)}")
{
    public string UnitTypeId { get; } = unitTypeId;
}
