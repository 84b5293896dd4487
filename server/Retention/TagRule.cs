using Berth.Plugins;

namespace Berth.Server.Retention;

/// <summary>Of the tags matching <see cref="Pattern"/>, keep the <see cref="Keep"/> most recently moved; the rest go.</summary>
public sealed record TagRule(string Pattern, int Keep)
{
    /// <summary>Tag characters and the two wildcards.</summary>
    public static bool IsValidPattern(string? pattern) =>
        pattern is { Length: > 0 and <= 128 } && pattern.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '*' or '?');

    public bool Matches(string tag) => GlobPattern.IsMatch(Pattern, tag);
}
