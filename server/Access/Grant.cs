using Berth.Plugins;

namespace Berth.Server.Access;

/// <summary>
/// Actions allowed on the repositories whose id or registry name matches a pattern. In a pattern <c>*</c> stands
/// for any run of characters (slashes included) and <c>?</c> for one; <c>*</c> alone matches every repository,
/// and a grant of <c>admin</c> on it makes an administrator, who manages users.
/// </summary>
public sealed record Grant(string Pattern, AccessAction Actions)
{
    public const string Everything = "*";

    public bool IsGlobalAdmin => Pattern == Everything && Actions.HasFlag(AccessAction.Admin);

    /// <summary>Whether a pattern is well formed: the characters of ids and names, and the two wildcards.</summary>
    public static bool IsValidPattern(string? pattern) =>
        pattern is { Length: > 0 and <= 256 } && pattern.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or '*' or '?');

    public bool Matches(string subject) => GlobPattern.IsMatch(Pattern, subject);

    /// <summary>Whether this grant allows at least what <paramref name="other"/> does, wherever that one applies.</summary>
    public bool Covers(Grant other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return (Actions & other.Actions) == other.Actions && GlobPattern.Covers(Pattern, other.Pattern);
    }
}
