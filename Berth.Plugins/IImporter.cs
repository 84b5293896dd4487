using System.Text.Json.Nodes;

namespace Berth.Plugins;

/// <summary>
/// An importer plugin: it turns uploaded bits of the unit types it declares into units of a repository.
/// The server finds importers by type id from <c>plugins.conf.d</c>, creates one instance per plugin and
/// calls it concurrently, so an implementation must be stateless or thread-safe.
/// </summary>
public interface IImporter
{
    /// <summary>The importer's type id, display name and the unit types it handles.</summary>
    ImporterMetadata Metadata { get; }

    /// <summary>
    /// Checks an importer configuration before the server stores it (registration on a repository)
    /// or uses it (an <c>override_config</c> of one import).
    /// </summary>
    /// <param name="config">The configuration as the operator sent it.</param>
    /// <exception cref="ContentException">
    /// With <see cref="ContentError.InvalidConfiguration"/>, naming every key that is unknown or of the wrong type.
    /// </exception>
    void ValidateConfig(JsonObject config);

    /// <summary>
    /// Imports one upload as a unit of <see cref="ImportRequest.UnitTypeId"/> into the conduit's repository.
    /// The import is complete when the returned task completes: the unit is saved and associated.
    /// </summary>
    /// <param name="request">What the client asked for, with the effective configuration.</param>
    /// <param name="conduit">The importer's only way to read and write the server's content and units.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away or the server stops.</param>
    /// <returns>The unit as saved.</returns>
    /// <exception cref="ContentException">When the upload, unit key or metadata is refused.</exception>
    Task<Unit> ImportUploadAsync(ImportRequest request, IImportConduit conduit, CancellationToken cancellationToken);

    /// <summary>
    /// Says which other units a unit of one of the importer's types needs, refers to or names (see
    /// <see cref="UnitReferenceKind"/>). The server asks when the importer saves a unit, stores the answer with it and
    /// from then on knows the unit's place among others only from that: promotion brings what a unit needs, removal
    /// refuses to break it, retention and orphan collection keep it, verification checks it. The answer must depend
    /// only on the unit's type, key and metadata, so that the server can ask again for units it stored before it
    /// kept references.
    /// </summary>
    /// <param name="unit">A unit of one of the importer's types, as it is being saved or as it was stored.</param>
    /// <returns>The references, none for a unit that stands alone (a blob).</returns>
    IReadOnlyList<UnitReference> ReferencesOf(Unit unit);
}
