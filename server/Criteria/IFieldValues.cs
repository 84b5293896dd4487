namespace Berth.Server.Criteria;

/// <summary>What a criteria is tested against: a unit's document, an association, a user.</summary>
public interface IFieldValues
{
    /// <summary>Whether the field is there, even holding null.</summary>
    bool Has(FieldPath field);

    /// <summary>The field's values, each element when it holds an array; none when it is missing.</summary>
    IEnumerable<CriteriaValue> ValuesOf(FieldPath field);

    /// <summary>What the field holds exactly, for sorting (steps into arrays only by index); <see langword="null"/> when missing.</summary>
    CriteriaValue? SortValueOf(FieldPath field);
}
