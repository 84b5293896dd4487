namespace Berth.Server.Criteria;

/// <summary>
/// A field a criteria names, dotted as in Mongo: <c>config.digest</c> looks inside <c>config</c>, and a step that meets
/// an array looks inside each of its elements.
/// </summary>
public sealed class FieldPath
{
    public const int MaxLength = 256;

    private FieldPath(string name) => (Name, Segments) = (name, name.Split('.'));

    public string Name { get; }

    public IReadOnlyList<string> Segments { get; }

    /// <exception cref="Berth.Plugins.ContentException">When the name is empty, too long, has an empty step or begins with <c>$</c>.</exception>
    public static FieldPath Parse(string name, string where)
    {
        ArgumentNullException.ThrowIfNull(name);
        var path = new FieldPath(name);
        if (name.Length is 0 or > MaxLength || name.StartsWith('$') || path.Segments.Any(s => s.Length == 0))
        {
            throw CriteriaErrors.Invalid(where, $"'{Shorten(name)}' is not a field: give a name, dotted to look inside objects (config.digest), of at most {MaxLength} characters");
        }

        return path;
    }

    public override string ToString() => Name;

    internal static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "...";
}
