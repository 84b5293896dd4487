using System.Text.RegularExpressions;

namespace Berth.Server.Criteria;

/// <summary>
/// A <c>$regex</c> in the subset of regular expressions on which .NET (the embedded store) and PostgreSQL agree:
/// literals, <c>.</c>, <c>^</c>, <c>$</c>, <c>* + ?</c> (and their lazy forms), bounds <c>{m,n}</c> up to 255,
/// alternation, groups and <c>(?:...)</c>, bracket expressions with ranges, and the escapes <c>\d \w \s</c> (and
/// their capitals), <c>\t \n \r</c> and any escaped punctuation. Refused, because the two engines read them
/// differently or one lacks them: back references, lookaround, inline options, <c>\b</c> (a word boundary in one, a
/// backspace in the other), Unicode classes and POSIX classes. Matching is linear in the subject (.NET's
/// non-backtracking engine), so no pattern can stall a search.
/// </summary>
public sealed class PortablePattern
{
    public const int MaxLength = 512;
    private const int MaxBound = 255;
    private const string Escapes = "dDwWsStnr";

    private PortablePattern(string source, bool ignoreCase, Regex regex) => (Source, IgnoreCase, Regex) = (source, ignoreCase, regex);

    public string Source { get; }

    public bool IgnoreCase { get; }

    public Regex Regex { get; }

    public bool IsMatch(string value) => Regex.IsMatch(value);

    public static PortablePattern Parse(string source, string options, string where)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        if (options is not ("" or "i"))
        {
            throw CriteriaErrors.Invalid(where, $"$options '{FieldPath.Shorten(options)}' is not supported; give \"i\" for a match ignoring case, or leave it out");
        }

        if (source.Length > MaxLength)
        {
            throw CriteriaErrors.Invalid(where, $"a $regex may be at most {MaxLength} characters");
        }

        if (Refusal(source) is { } refusal)
        {
            throw CriteriaErrors.Invalid(where, $"$regex '{FieldPath.Shorten(source)}': {refusal}");
        }

        // Singleline: PostgreSQL's '.' matches a newline too.
        var regexOptions = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.Singleline
            | (options == "i" ? RegexOptions.IgnoreCase : RegexOptions.None);
        try
        {
            return new PortablePattern(source, options == "i", new Regex(source, regexOptions));
        }
        catch (ArgumentException e)
        {
            throw CriteriaErrors.Invalid(where, $"$regex '{FieldPath.Shorten(source)}' is not a regular expression: {e.Message}");
        }
    }

    private static string? Refusal(string source)
    {
        var inBrackets = false;
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (c == '\\')
            {
                if (i + 1 == source.Length)
                {
                    return "it ends with a lone \\";
                }

                var escaped = source[++i];
                if (char.IsAsciiLetterOrDigit(escaped) && !Escapes.Contains(escaped, StringComparison.Ordinal))
                {
                    return $"\\{escaped} is not supported (escapes: \\d \\w \\s, their capitals, \\t \\n \\r, and escaped punctuation)";
                }
            }
            else if (inBrackets)
            {
                if (c == '[' && i + 1 < source.Length && source[i + 1] is ':' or '=' or '.')
                {
                    return "POSIX classes such as [:alpha:] are not supported; write the range";
                }

                if (c == ']')
                {
                    inBrackets = false;
                }
            }
            else if (c == '[')
            {
                inBrackets = true;

                // A ']' first in the brackets (after '^') is a member, not their end, for both engines.
                if (i + 1 < source.Length && source[i + 1] == '^')
                {
                    i++;
                }

                if (i + 1 < source.Length && source[i + 1] == ']')
                {
                    i++;
                }
            }
            else if (c == '(' && i + 1 < source.Length && source[i + 1] == '?' && (i + 2 >= source.Length || source[i + 2] != ':'))
            {
                return "only (?:...) groups are supported: no lookaround, named groups or inline options";
            }
            else if (c == '{')
            {
                var end = source.IndexOf('}', i);
                if (end < 0 || !Bound(source[(i + 1)..end]))
                {
                    return $"a bound is {{m}}, {{m,}} or {{m,n}} with m and n at most {MaxBound}; write a literal brace as \\{{";
                }

                i = end;
            }
        }

        return inBrackets ? "a bracket expression is not closed" : null;
    }

    private static bool Bound(string text)
    {
        var parts = text.Split(',');
        return parts.Length is 1 or 2
            && Count(parts[0]) is { } low
            && (parts.Length == 1 || parts[1].Length == 0 || (Count(parts[1]) is { } high && high >= low));
    }

    private static int? Count(string text) =>
        text.Length is > 0 and <= 3 && text.All(char.IsAsciiDigit) && int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) is var n && n <= MaxBound ? n : null;
}
