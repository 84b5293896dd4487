namespace Berth.Plugins;

/// <summary>
/// Patterns with <c>*</c> (any run of characters, <c>/</c> included) and <c>?</c> (one character), matched whole. Shared by
/// the server (grants, retention rules, event filters) and plugins (a sync's tag filter), so that a pattern means the same
/// everywhere.
/// </summary>
public static class GlobPattern
{
    /// <summary>
    /// Whether <paramref name="subject"/> matches <paramref name="pattern"/>, ordinally. Users write patterns (token
    /// scopes), so the matcher neither backtracks without bound nor compiles and caches anything: it goes back only
    /// to the last <c>*</c>, at most the pattern's length times the subject's steps, and allocates nothing.
    /// </summary>
    public static bool IsMatch(string pattern, string subject)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(subject);
        int p = 0, s = 0, star = -1, resume = 0;
        while (s < subject.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || (pattern[p] != '*' && pattern[p] == subject[s])))
            {
                p++;
                s++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                // Try the star empty first; on a mismatch, let it take one more character.
                star = p++;
                resume = s;
            }
            else if (star >= 0)
            {
                p = star + 1;
                s = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
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

        // covers(i, j): outer[i..] covers inner[j..], computed a row of i at a time from the end. An outer '*' may
        // take any run of inner's symbols, wildcards included; an outer '?' one literal or '?'; a literal only
        // itself. An inner '*' needs an outer '*'.
        var next = new bool[inner.Length + 1];
        var row = new bool[inner.Length + 1];
        next[inner.Length] = true;
        for (var i = outer.Length - 1; i >= 0; i--)
        {
            for (var j = inner.Length; j >= 0; j--)
            {
                row[j] = outer[i] switch
                {
                    '*' => next[j] || (j < inner.Length && row[j + 1]),
                    _ when j == inner.Length || inner[j] == '*' => false,
                    '?' => next[j + 1],
                    var literal => inner[j] == literal && next[j + 1],
                };
            }

            (next, row) = (row, next);
        }

        return next[0];
    }
}
