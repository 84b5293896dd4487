using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Docker.Common.References;

/// <summary>
/// A tag, valid by the OCI distribution spec's grammar: <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>.
/// </summary>
public readonly partial record struct TagName
{
    private TagName(string value) => Value = value;

    /// <summary>The tag as written.</summary>
    public string Value { get; }

    /// <summary>Parses a tag; on failure <paramref name="problem"/> says what is wrong.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out TagName tag, [NotNullWhen(false)] out string? problem)
    {
        tag = default;
        if (string.IsNullOrEmpty(text))
        {
            problem = "a tag name is required";
            return false;
        }

        if (!Grammar().IsMatch(text))
        {
            problem = $"'{Shorten(text)}' is not a valid tag: use up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'";
            return false;
        }

        tag = new TagName(text);
        problem = null;
        return true;
    }

    /// <summary>Parses a tag.</summary>
    /// <exception cref="FormatException">When the text is not a valid tag.</exception>
    public static TagName Parse(string text) => TryParse(text, out var tag, out var problem) ? tag : throw new FormatException(problem);

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    [GeneratedRegex(@"\A[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
