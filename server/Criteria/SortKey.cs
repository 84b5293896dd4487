namespace Berth.Server.Criteria;

/// <summary>One step of a criteria's order, from Pulp 2's <c>[FIELD, "ascending" | "descending"]</c> (or 1 and -1).</summary>
public sealed record SortKey(FieldPath Field, bool Descending)
{
    /// <summary>
    /// How values of a field are ordered: missing and null first, then numbers, strings (by code point), booleans,
    /// and objects and arrays (among themselves unordered); within a kind by value. PostgreSQL orders by the same ranks.
    /// </summary>
    public static int Compare(CriteriaValue? left, CriteriaValue? right)
    {
        var byRank = Rank(left).CompareTo(Rank(right));
        return byRank != 0 || left is null || right is null ? byRank : CriteriaValue.Compare(left, right) ?? 0;
    }

    private static int Rank(CriteriaValue? value) => value switch
    {
        null or CriteriaValue.Nothing => 0,
        CriteriaValue.Number or CriteriaValue.Time => 1,
        CriteriaValue.Text => 2,
        CriteriaValue.Flag => 3,
        _ => 4,
    };
}
