using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Berth.Server.Matching;

/// <summary>Patterns with <c>*</c> (any run of characters, <c>/</c> included) and <c>?</c> (one character), matched whole.</summary>
public static class GlobPattern
{
    private static readonly ConcurrentDictionary<string, Regex> Compiled = new(StringComparer.Ordinal);

    public static bool IsMatch(string pattern, string subject)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(subject);
        return Compiled.GetOrAdd(pattern, p => new Regex(
            "\\A" + Regex.Escape(p).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "\\z",
            RegexOptions.CultureInvariant | RegexOptions.Singleline,
            TimeSpan.FromMilliseconds(100))).IsMatch(subject);
    }
}
