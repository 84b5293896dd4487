using System.Text.Json.Nodes;

namespace Berth.Plugins;

/// <summary>
/// A piece of content of one type, identified by its key and shared by every repository it is associated
/// with. Its bits, when it has any, are in content storage under <see cref="ContentDigest"/>.
/// </summary>
public sealed record Unit
{
    /// <summary>The unit type id, for example <c>docker_manifest</c>.</summary>
    public required string TypeId { get; init; }

    /// <summary>The fields that identify the unit within its type.</summary>
    public required UnitKey Key { get; init; }

    /// <summary>
    /// Everything else the importer knows about the unit. The server copies it when the unit is saved,
    /// so changing this object afterwards changes nothing stored.
    /// </summary>
    public required JsonObject Metadata { get; init; }

    /// <summary>The digest of the unit's bits in content storage, or <see langword="null"/> for a unit without bits.</summary>
    public string? ContentDigest { get; init; }

    /// <summary>
    /// What the unit needs, refers to or names, as its importer's <see cref="IImporter.ReferencesOf"/> said when the
    /// unit was saved. Set by the server: what an importer puts here before saving is replaced.
    /// </summary>
    public IReadOnlyList<UnitReference> References { get; init; } = [];

    /// <summary>The server's id for the unit; <see langword="null"/> until it is saved.</summary>
    public string? Id { get; init; }
}
