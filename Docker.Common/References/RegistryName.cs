using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Docker.Common.References;

/// <summary>
/// A repository name as the distribution spec defines it: lowercase path components of letters and digits
/// joined by <c>.</c>, <c>_</c>, <c>__</c> or dashes, separated by <c>/</c>, for example <c>team/app</c>.
/// </summary>
public readonly partial record struct RegistryName
{
    /// <summary>Clients limit host and name together to 255 characters; the name alone can be no longer.</summary>
    public const int MaxLength = 255;

    private RegistryName(string value) => Value = value;

    public string Value { get; }

    public static bool TryParse([NotNullWhen(true)] string? text, out RegistryName name, [NotNullWhen(false)] out string? problem)
    {
        name = default;
        if (string.IsNullOrEmpty(text))
        {
            problem = "a repository name is required";
            return false;
        }

        if (text.Length > MaxLength)
        {
            problem = $"a repository name has at most {MaxLength} characters";
            return false;
        }

        if (!Grammar().IsMatch(text))
        {
            problem = $"'{text}' is not a valid repository name: use lowercase letters and digits, separated by '.', '_', '__' or '-' within a component and '/' between components";
            return false;
        }

        name = new RegistryName(text);
        problem = null;
        return true;
    }

    public static RegistryName Parse(string text) => TryParse(text, out var name, out var problem) ? name : throw new FormatException(problem);

    public override string ToString() => Value ?? string.Empty;

    [GeneratedRegex(@"\A[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
