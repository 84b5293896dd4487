namespace Berth.Server.Configuration;

/// <summary>The <c>Berth:Content</c> section: which content store, and its settings.</summary>
public sealed class ContentOptions
{
    public ContentProvider Provider { get; set; } = ContentProvider.FileSystem;

    /// <summary>Read only by <see cref="ContentProvider.S3"/>.</summary>
    public S3ContentOptions S3 { get; set; } = new();
}
