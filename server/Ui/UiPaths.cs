namespace Berth.Server.Ui;

/// <summary>Where the UI's pages are; links are made here so that a route changes in one place.</summary>
public static class UiPaths
{
    public const string Root = "/ui";
    public const string SignIn = "/ui/sign-in";
    public const string SignOut = "/ui/sign-out";
    public const string Assets = "/ui/assets";
    public const string Orphans = "/ui/orphans";
    public const string Users = "/ui/users";

    public static string User(string login) => $"{Users}/{Uri.EscapeDataString(login)}";

    public static string Repositories => Root + "/";

    public static string Repository(string id) => $"{Root}/repositories/{Uri.EscapeDataString(id)}";

    public static string TagHistory(string repositoryId, string tag) => $"{Repository(repositoryId)}/tags/{Uri.EscapeDataString(tag)}";

    public static string Remove(string repositoryId) => $"{Repository(repositoryId)}/remove";

    public static string RemoveTag(string repositoryId, string tag) => $"{Remove(repositoryId)}?tag={Uri.EscapeDataString(tag)}";

    public static string RemoveManifest(string repositoryId, string digest) => $"{Remove(repositoryId)}?digest={Uri.EscapeDataString(digest)}";

    public static string Retention(string repositoryId) => $"{Repository(repositoryId)}/retention";

    public static string Promote(string repositoryId) => $"{Repository(repositoryId)}/promote";

    public static string Image(string repositoryId, string digest) => $"{Repository(repositoryId)}/manifests/{Uri.EscapeDataString(digest)}";

    /// <summary>The sign-in page, then back to <paramref name="returnTo"/> when it is a UI path.</summary>
    public static string SignInFor(string? returnTo) =>
        IsLocal(returnTo) ? $"{SignIn}?return={Uri.EscapeDataString(returnTo!)}" : SignIn;

    /// <summary>Whether a path is one of the UI's own: sign-in goes back only there, never to another site.</summary>
    public static bool IsLocal(string? path) =>
        path is { Length: > 0 and < 2048 } && path.StartsWith(Root + "/", StringComparison.Ordinal) &&
        !path.Contains("//", StringComparison.Ordinal) && !path.Contains('\\', StringComparison.Ordinal);
}
