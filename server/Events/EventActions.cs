namespace Berth.Server.Events;

/// <summary>
/// What an event reports. The first four are the reference registry's (its notifications' <c>action</c>); the others
/// are Berth's own changes, which no registry client makes.
/// </summary>
public static class EventActions
{
    /// <summary>A blob or manifest pushed through the registry API.</summary>
    public const string Push = "push";

    /// <summary>A blob or manifest read through the registry API (GET; a HEAD reads no content and reports nothing).</summary>
    public const string Pull = "pull";

    /// <summary>A blob, manifest or tag deleted through the registry API.</summary>
    public const string Delete = "delete";

    /// <summary>A blob mounted from another repository through the registry API.</summary>
    public const string Mount = "mount";

    /// <summary>A unit imported through the content API (<c>import_upload</c>).</summary>
    public const string Import = "import";

    /// <summary>Units copied into a repository from another (<c>associate</c>).</summary>
    public const string Promote = "promote";

    /// <summary>Units taken out of a repository through the content API (<c>unassociate</c>).</summary>
    public const string Remove = "remove";

    /// <summary>A name set to point at a content unit through the content API (a tag imported without an upload).</summary>
    public const string TagMove = "tagmove";

    /// <summary>A name set back to where it pointed before (tag history rollback).</summary>
    public const string Rollback = "rollback";

    /// <summary>Units removed by a repository's retention policy.</summary>
    public const string Retention = "retention";

    /// <summary>Orphaned units deleted from the server (orphan collection).</summary>
    public const string OrphanCollection = "orphancollection";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(
        [Push, Pull, Delete, Mount, Import, Promote, Remove, TagMove, Rollback, Retention, OrphanCollection], StringComparer.Ordinal);
}
