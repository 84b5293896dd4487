namespace Berth.Server.Registry.Browsing;

/// <summary>
/// An image manifest or an index of one repository, read for people rather than clients: what it is made of, what it
/// runs on, what refers to it. Every string in it is as a client pushed it, for the page to escape.
/// </summary>
public sealed record ImageDetails
{
    public required string Digest { get; init; }

    public required string MediaType { get; init; }

    public required bool IsList { get; init; }

    /// <summary>The manifest's exact bytes, as clients pull them.</summary>
    public required byte[] Bytes { get; init; }

    /// <summary>The manifest indented for reading; <see cref="Bytes"/> are what its digest is of.</summary>
    public required string Pretty { get; init; }

    public string? ArtifactType { get; init; }

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>The manifest this one refers to (a signature's image), when it names one.</summary>
    public string? Subject { get; init; }

    public BlobRow? Config { get; init; }

    public IReadOnlyList<BlobRow> Layers { get; init; } = [];

    /// <summary>For an image, its config and layers together.</summary>
    public long? Size { get; init; }

    /// <summary>What the image's config says, when the repository holds it and it is an image config.</summary>
    public ConfigSummary? Summary { get; init; }

    /// <summary>For an index, its manifests.</summary>
    public IReadOnlyList<ChildRow> Children { get; init; } = [];

    /// <summary>Manifests of the repository whose subject this is, grouped by kind.</summary>
    public IReadOnlyList<ReferrerGroup> Referrers { get; init; } = [];

    /// <summary>The repository's tags that point at it.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The ids of every repository that holds it, whoever may see them: the page keeps those its reader may pull.</summary>
    public IReadOnlyList<string> HeldBy { get; init; } = [];
}

/// <summary>A config or layer of an image.</summary>
/// <remarks>Held: Whether the repository holds the blob (a foreign layer, say, is only named).</remarks>
public sealed record BlobRow(string Digest, string MediaType, long Size, bool Held);

/// <summary>A manifest an index names.</summary>
/// <remarks>Platform: Its platform, <c>os/architecture[/variant]</c>, when the index gives one.</remarks>
public sealed record ChildRow(string Digest, string MediaType, long Size, string? Platform, string? ArtifactType, bool Held);

/// <summary>Referrers of one kind: signatures, SBOMs, attestations, or other artifacts.</summary>
public sealed record ReferrerGroup(string Kind, IReadOnlyList<ReferrerRow> Referrers);

/// <summary>A manifest whose subject is the image.</summary>
public sealed record ReferrerRow(string Digest, string? ArtifactType, IReadOnlyDictionary<string, string> Annotations);

/// <summary>What an image's config says about how it runs.</summary>
public sealed record ConfigSummary
{
    public string? Platform { get; init; }

    public string? Created { get; init; }

    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    public IReadOnlyList<string> Cmd { get; init; } = [];

    public string? WorkingDir { get; init; }

    public string? User { get; init; }

    public IReadOnlyList<string> Env { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];

    public IReadOnlyList<HistoryRow> History { get; init; } = [];
}

/// <summary>One step of how the image was built.</summary>
public sealed record HistoryRow(string? Created, string? CreatedBy, string? Comment, bool EmptyLayer);
