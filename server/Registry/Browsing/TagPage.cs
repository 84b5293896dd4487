namespace Berth.Server.Registry.Browsing;

/// <summary>One page of a repository's tags, in name order, as the web UI lists them.</summary>
/// <remarks>HasMore: Whether tags follow this page.</remarks>
public sealed record TagPage(IReadOnlyList<TagRow> Tags, bool HasMore);

/// <summary>A tag and what it points at.</summary>
/// <remarks>Platforms: For a list, the platforms it names (<c>os/architecture[/variant]</c>); empty for an image.</remarks>
/// <remarks>Size: For an image, its config and layers together; <see langword="null"/> for a list or what the repository lacks.</remarks>
/// <remarks>Moved: When the tag last changed (its association with the repository).</remarks>
public sealed record TagRow(string Name, string Digest, string? MediaType, bool IsList, IReadOnlyList<string> Platforms, long? Size, DateTimeOffset Moved);
