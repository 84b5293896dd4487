using System.Globalization;
using System.Text;

namespace Berth.Server.Logging;

/// <summary>
/// What may appear inside one log line. Log arguments come from requests (paths, ids, names, messages that echo
/// them), and a control character in one could end the line and start another that looks like the server's own,
/// an audit line say. Every character that could break a line, move the cursor, or reorder what a reader sees is
/// written as a visible escape instead: <c>\n</c>, <c>\r</c>, <c>\t</c>, and <c>\uXXXX</c> for the rest.
/// </summary>
/// <remarks>
/// Escaped: the C0 controls (U+0000 to U+001F), DEL (U+007F), the C1 controls (U+0080 to U+009F, NEL among them),
/// the line and paragraph separators (U+2028, U+2029), the bidirectional formatting characters (U+061C, U+200E,
/// U+200F, U+202A to U+202E, U+2066 to U+2069: "Trojan Source" reordering) and lone surrogates. Backslashes are
/// left as they are: the escapes are for reading, not for decoding back, and a literal <c>\n</c> in a name stays on
/// its line either way.
/// </remarks>
public static class LogText
{
    /// <summary>The text with every character that could break or disguise a log line escaped.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = FirstToEscape(text);
        if (first < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped.Append(c).Append(text[++i]);
            }
            else if (!MustEscape(c))
            {
                escaped.Append(c);
            }
            else
            {
                _ = c switch
                {
                    '\n' => escaped.Append("\\n"),
                    '\r' => escaped.Append("\\r"),
                    '\t' => escaped.Append("\\t"),
                    _ => escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                };
            }
        }

        return escaped.ToString();
    }

    /// <summary>Whether <see cref="Escape"/> would change the text.</summary>
    public static bool NeedsEscaping(string? text) => text is not null && FirstToEscape(text) >= 0;

    private static int FirstToEscape(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (MustEscape(c))
            {
                return i;
            }
        }

        return -1;
    }

    // Called only for characters that are not half of a well-formed surrogate pair.
    private static bool MustEscape(char c) =>
        c < '\u0020' ||
        c is >= '\u007f' and <= '\u009f' ||
        c is '\u2028' or '\u2029' ||
        c is '\u061c' or '\u200e' or '\u200f' ||
        c is >= '\u202a' and <= '\u202e' ||
        c is >= '\u2066' and <= '\u2069' ||
        char.IsSurrogate(c);
}
