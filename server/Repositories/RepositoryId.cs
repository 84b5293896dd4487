using System.Diagnostics.CodeAnalysis;

namespace Berth.Server.Repositories;

/// <summary>A repository id: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, at most 255 of them.</summary>
public readonly record struct RepositoryId
{
    public const int MaxLength = 255;

    private RepositoryId(string value) => Value = value;

    public string Value { get; }

    public static bool TryParse([NotNullWhen(true)] string? text, out RepositoryId id, [NotNullWhen(false)] out string? problem)
    {
        id = default;
        if (string.IsNullOrEmpty(text))
        {
            problem = "a repository id is required";
            return false;
        }

        if (text.Length > MaxLength)
        {
            problem = $"a repository id has at most {MaxLength} characters";
            return false;
        }

        if (!text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            problem = $"'{text}' is not a valid repository id: use only letters, digits, '_', '-' and '.'";
            return false;
        }

        if (text is "." or "..")
        {
            problem = $"'{text}' is not a valid repository id: it cannot be addressed in a URL";
            return false;
        }

        id = new RepositoryId(text);
        problem = null;
        return true;
    }

    public override string ToString() => Value ?? string.Empty;
}
