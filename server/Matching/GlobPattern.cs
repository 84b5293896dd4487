using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Berth.Server.Matching;

/// <summary>Patterns with <c>*</c> (any run of characters, <c>/</c> included) and <c>?</c> (one character), matched whole.</summary>
public static class GlobPattern
{
    private const int MaxCompiled = 10_000;
    private static readonly ConcurrentDictionary<string, Regex> Compiled = new(StringComparer.Ordinal);

    public static bool IsMatch(string pattern, string subject)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(subject);

        // Users write patterns (token scopes): a backtracking engine would let "*a*a*a…b" cost every request a
        // timeout. The non-backtracking engine matches in time linear in the subject. Users can also write many:
        // the cache is bounded.
        if (Compiled.Count > MaxCompiled)
        {
            Compiled.Clear();
        }

        return Compiled.GetOrAdd(pattern, p => new Regex(
            "\\A" + Regex.Escape(p).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "\\z",
            RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking)).IsMatch(subject);
    }

    /// <summary>
    /// Whether every subject <paramref name="inner"/> matches is matched by <paramref name="outer"/> too. Sound, not
    /// complete: when it says yes, that holds; a few exotic pairs that do cover each other are refused, which only
    /// ever errs on the side of less access.
    /// </summary>
    public static bool Covers(string outer, string inner)
    {
        ArgumentNullException.ThrowIfNull(outer);
        ArgumentNullException.ThrowIfNull(inner);

        // covers[i, j]: outer[i..] covers inner[j..]. An outer '*' may take any run of inner's symbols, wildcards
        // included; an outer '?' one literal or '?'; a literal only itself. An inner '*' needs an outer '*'.
        var covers = new bool[outer.Length + 1, inner.Length + 1];
        covers[outer.Length, inner.Length] = true;
        for (var i = outer.Length - 1; i >= 0; i--)
        {
            for (var j = inner.Length; j >= 0; j--)
            {
                covers[i, j] = outer[i] switch
                {
                    '*' => covers[i + 1, j] || (j < inner.Length && covers[i, j + 1]),
                    _ when j == inner.Length || inner[j] == '*' => false,
                    '?' => covers[i + 1, j + 1],
                    var literal => inner[j] == literal && covers[i + 1, j + 1],
                };
            }
        }

        return covers[0, 0];
    }
}
