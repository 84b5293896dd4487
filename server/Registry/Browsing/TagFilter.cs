using System.Diagnostics.CodeAnalysis;
using Berth.Server.Criteria;

namespace Berth.Server.Registry.Browsing;

/// <summary>What a tag list is narrowed to: tags whose names contain some text, in any case.</summary>
public sealed class TagFilter
{
    public static readonly TagFilter All = new(string.Empty, null);

    private TagFilter(string text, PortablePattern? pattern) => (Text, Pattern) = (text, pattern);

    public string Text { get; }

    public PortablePattern? Pattern { get; }

    /// <summary>Reads what someone typed; only what a tag name may hold can match one, so anything else is refused, saying so.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out TagFilter? filter, [NotNullWhen(false)] out string? problem)
    {
        filter = null;
        problem = null;
        text = text?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            filter = All;
            return true;
        }

        if (text.Length > 128 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            problem = "a tag name holds at most 128 letters, digits, '_', '.' and '-': filter by part of one";
            return false;
        }

        filter = new TagFilter(text, PortablePattern.Parse(text.Replace(".", "\\.", StringComparison.Ordinal), "i", "filter"));
        return true;
    }
}
