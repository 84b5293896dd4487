using Berth.Plugins;
using Berth.Server.Errors;

namespace Berth.Server.Configuration;

/// <summary>
/// The server's ceilings on everything a client can make an import hold or walk (section <c>Berth:Imports</c>). They
/// bind both APIs and every importer: a repository's <c>importer_config</c> or a call's <c>override_config</c> may
/// lower an importer's own limits, never raise them past these.
/// </summary>
public sealed class ImportLimitOptions
{
    public const string Section = "Imports";

    /// <summary>The largest value <see cref="MaxDocumentBytes"/> may be set to: a document must fit in one array.</summary>
    public const long MaxDocumentBytesCeiling = 1024L * 1024 * 1024;

    /// <summary>
    /// The largest manifest, list or index either API reads, in bytes: a registry push's body, an uploaded document,
    /// the <c>manifest.json</c> of an uploaded archive. Also read from the former <c>Berth:MaxManifestBytes</c>.
    /// </summary>
    public long MaxDocumentBytes { get; set; } = ImportLimits.Default.MaxDocumentBytes;

    /// <summary>The most references one document may hold: layers and config of a manifest, manifests of a list or index.</summary>
    public int MaxDocumentReferences { get; set; } = ImportLimits.Default.MaxDocumentReferences;

    /// <summary>The most entries an uploaded archive (a tar of a skopeo <c>dir:</c> folder) may have, extended headers included.</summary>
    public int MaxArchiveEntries { get; set; } = ImportLimits.Default.MaxArchiveEntries;

    /// <summary>The largest extended header (PAX records, a GNU long name) one archive entry may have, in bytes.</summary>
    public int MaxArchiveHeaderBytes { get; set; } = ImportLimits.Default.MaxArchiveHeaderBytes;

    /// <summary>The most items an import's refusal lists (missing blobs, say); it gives their total count beside them.</summary>
    public int MaxListedInErrors { get; set; } = ImportLimits.Default.MaxListedInErrors;

    /// <summary>
    /// How many bytes of documents may be held whole in memory at once, across every push and import: each reserves
    /// its size before it is read or checked, and waits while the budget is taken. At least <see cref="MaxDocumentBytes"/>;
    /// unset, four times it.
    /// </summary>
    public long? MemoryBudgetBytes { get; set; }

    /// <summary>The budget in force: <see cref="MemoryBudgetBytes"/>, or four documents of the largest size.</summary>
    public long EffectiveMemoryBudgetBytes => MemoryBudgetBytes ?? (4 * MaxDocumentBytes);

    /// <summary>The ceilings as importers see them.</summary>
    public ImportLimits ToImportLimits() => new()
    {
        MaxDocumentBytes = MaxDocumentBytes,
        MaxDocumentReferences = MaxDocumentReferences,
        MaxArchiveEntries = MaxArchiveEntries,
        MaxArchiveHeaderBytes = MaxArchiveHeaderBytes,
        MaxListedInErrors = MaxListedInErrors,
    };

    /// <summary>Every setting that is out of range, one sentence each; none when all are usable.</summary>
    public IEnumerable<string> Problems()
    {
        const string prefix = $"{BerthOptions.Section}:{Section}:";
        if (MaxDocumentBytes is < 1 or > MaxDocumentBytesCeiling)
        {
            yield return $"{prefix}{nameof(MaxDocumentBytes)} must be between 1 and {MaxDocumentBytesCeiling}";
        }

        if (MaxDocumentReferences < 1)
        {
            yield return $"{prefix}{nameof(MaxDocumentReferences)} must be at least 1";
        }

        if (MaxArchiveEntries < 3)
        {
            yield return $"{prefix}{nameof(MaxArchiveEntries)} must be at least 3 (version, manifest.json and a blob)";
        }

        if (MaxArchiveHeaderBytes < 512)
        {
            yield return $"{prefix}{nameof(MaxArchiveHeaderBytes)} must be at least 512";
        }

        if (MaxListedInErrors is < 1 or > ErrorBodyLimits.MaxItems)
        {
            yield return $"{prefix}{nameof(MaxListedInErrors)} must be between 1 and {ErrorBodyLimits.MaxItems}";
        }

        if (EffectiveMemoryBudgetBytes < MaxDocumentBytes)
        {
            yield return $"{prefix}{nameof(MemoryBudgetBytes)} ({EffectiveMemoryBudgetBytes}) must be at least {prefix}{nameof(MaxDocumentBytes)} ({MaxDocumentBytes}), or the largest document could never be read";
        }
    }
}
