namespace Berth.Server.Membership;

/// <summary>A change that would leave a repository holding a unit without what it needs; nothing was changed.</summary>
public sealed class UnitsIncompleteException(IReadOnlyList<MissingUnit> missing)
    : Exception($"the repository lacks {string.Join("; ", missing.Select(m => m.NeededBy is { } by ? $"{m.Unit}, which {by} needs" : m.Unit.ToString()))}")
{
    public IReadOnlyList<MissingUnit> Missing { get; } = missing;
}
