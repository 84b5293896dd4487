namespace Berth.Server.Access;

/// <summary>What a grant allows on the repositories it matches.</summary>
[Flags]
public enum AccessAction
{
    None = 0,

    /// <summary>Read: pull images, search units, see the repository.</summary>
    Pull = 1,

    /// <summary>Write content: push blobs and manifests, move tags, import uploads.</summary>
    Push = 2,

    /// <summary>Remove content: delete tags, manifests and blobs.</summary>
    Delete = 4,

    /// <summary>Manage: create, change and delete repositories and their importers; with pattern <c>*</c>, manage users.</summary>
    Admin = 8,

    All = Pull | Push | Delete | Admin,
}
