namespace Berth.Plugins;

/// <summary>
/// The ceilings the server sets on what one import may make it hold or walk, whatever the importer's configuration
/// or the call's <c>override_config</c> say: configuration may lower an importer's own limits below these, and no
/// request can raise them. An importer checks a size against its ceiling before it allocates anything for it.
/// </summary>
public sealed record ImportLimits
{
    /// <summary>The ceilings a server uses when its configuration says nothing.</summary>
    public static ImportLimits Default { get; } = new();

    /// <summary>
    /// The largest document (a manifest, a manifest list or index) an importer may read whole into memory, in bytes.
    /// Larger ones are refused with <see cref="ContentError.TooLarge"/> before a byte of them is read.
    /// </summary>
    public long MaxDocumentBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// The most references one document may list: the layers of an image manifest, the manifests of a list or index.
    /// A document with more is refused before any of them is read or looked up.
    /// </summary>
    public int MaxDocumentReferences { get; init; } = 1000;

    /// <summary>The most entries (headers, extended headers included) an uploaded archive may have.</summary>
    public int MaxArchiveEntries { get; init; } = 10_000;

    /// <summary>
    /// The largest extended header one archive entry may have (PAX records, a GNU long name or link), in bytes: what an
    /// importer must read into memory to learn an entry's name.
    /// </summary>
    public int MaxArchiveHeaderBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// The most items a refusal lists (the missing blobs of a manifest, say): the first ones, with the total count
    /// beside them, so that an error's size does not grow with the document that caused it.
    /// </summary>
    public int MaxListedInErrors { get; init; } = 20;
}
