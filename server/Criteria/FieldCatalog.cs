namespace Berth.Server.Criteria;

/// <summary>
/// The fields a criteria may name: any dotted name in a free-form document (a unit's metadata), or a fixed set (an
/// association's, a user's), some of which hold times that a criteria gives as ISO 8601 strings or <c>{"$date": ...}</c>.
/// </summary>
public sealed class FieldCatalog
{
    private readonly IReadOnlySet<string>? _known;
    private readonly IReadOnlySet<string> _times;

    private FieldCatalog(IReadOnlySet<string>? known, IReadOnlySet<string> times) => (_known, _times) = (known, times);

    public static FieldCatalog FreeForm { get; } = new(null, new HashSet<string>());

    public static FieldCatalog Of(IEnumerable<string> fields, params IEnumerable<string> times) =>
        new(fields.ToHashSet(StringComparer.Ordinal), times.ToHashSet(StringComparer.Ordinal));

    public FieldPath Field(string name, string where)
    {
        var field = FieldPath.Parse(name, where);
        if (_known is not null && !_known.Contains(name))
        {
            throw CriteriaErrors.Invalid(where, $"'{FieldPath.Shorten(name)}' is not a field here; the fields are {string.Join(", ", _known.Order(StringComparer.Ordinal))}");
        }

        return field;
    }

    public bool IsTime(FieldPath field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return _times.Contains(field.Name);
    }
}
