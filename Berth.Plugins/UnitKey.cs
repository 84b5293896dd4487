using System.Collections.Immutable;
using System.Text;

namespace Berth.Plugins;

/// <summary>
/// The fields that identify a unit within its type, for example <c>{digest}</c> for a blob. Values are
/// strings; two keys are equal when they hold the same fields with the same values, in any order.
/// </summary>
public sealed class UnitKey : IEquatable<UnitKey>
{
    private readonly ImmutableSortedDictionary<string, string> _fields;

    private UnitKey(ImmutableSortedDictionary<string, string> fields) => _fields = fields;

    /// <summary>Creates a key from its fields.</summary>
    /// <exception cref="ArgumentException">When there are no fields, a name or value is empty, or holds a character reserved by <see cref="Canonical"/>.</exception>
    public static UnitKey Of(params IEnumerable<KeyValuePair<string, string>> fields)
    {
        var sorted = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, fields);
        if (sorted.Count == 0)
        {
            throw new ArgumentException("A unit key needs at least one field.", nameof(fields));
        }

        foreach (var (name, value) in sorted)
        {
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(value))
            {
                throw new ArgumentException("Unit key fields need a name and a value.", nameof(fields));
            }

            if (name.Contains('\n', StringComparison.Ordinal) || name.Contains('=', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException("Unit key names may not hold '=' or newlines, nor values newlines.", nameof(fields));
            }
        }

        return new UnitKey(sorted);
    }

    /// <summary>Creates a key of one field.</summary>
    public static UnitKey Of(string name, string value) => Of(new KeyValuePair<string, string>(name, value));

    /// <summary>
    /// The key as one string, the same for equal keys: fields sorted by name, each <c>name=value</c>,
    /// joined by newlines (which no field value may hold).
    /// </summary>
    public string Canonical
    {
        get
        {
            var text = new StringBuilder();
            foreach (var (name, value) in _fields)
            {
                if (text.Length > 0)
                {
                    text.Append('\n');
                }

                text.Append(name).Append('=').Append(value);
            }

            return text.ToString();
        }
    }

    /// <summary>The key's fields, sorted by name.</summary>
    public IReadOnlyDictionary<string, string> Fields => _fields;

    /// <summary>The value of a field, or <see langword="null"/> when the key has no such field.</summary>
    public string? this[string name] => _fields.TryGetValue(name, out var value) ? value : null;

    /// <inheritdoc />
    public bool Equals(UnitKey? other) => other is not null && Canonical == other.Canonical;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as UnitKey);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Canonical);

    /// <inheritdoc />
    public override string ToString() => "{" + string.Join(", ", _fields.Select(f => $"{f.Key}: {f.Value}")) + "}";
}
