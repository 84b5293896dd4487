namespace Berth.Server.Criteria;

/// <summary>
/// A criteria's filter, read from Mongo's query syntax (see <see cref="ConditionReader"/>) into these few forms, which
/// each store executes: <c>$ne</c>, <c>$nin</c>, <c>$nor</c> and <c>$not</c> are <see cref="Not"/> of the positive form.
/// </summary>
public abstract record Condition
{
    /// <summary>Every condition holds; none given: always.</summary>
    public sealed record AllOf(IReadOnlyList<Condition> Conditions) : Condition;

    /// <summary>At least one condition holds.</summary>
    public sealed record AnyOf(IReadOnlyList<Condition> Conditions) : Condition;

    public sealed record Not(Condition Condition) : Condition;

    /// <summary>
    /// A test of one field: it holds when one of the field's values (each element, when the field is an array) passes
    /// it. <see cref="TestOperator.Equal"/> passes a value equal to any of <see cref="Values"/>; equal to null, it passes
    /// a field that is missing too.
    /// </summary>
    public sealed record FieldTest(FieldPath Field, TestOperator Operator, IReadOnlyList<CriteriaValue> Values, PortablePattern? Pattern = null) : Condition;

    public static readonly Condition Always = new AllOf([]);

    /// <summary>The fields the condition tests, wherever they are in it.</summary>
    public IEnumerable<FieldPath> FieldsTested() => this switch
    {
        AllOf all => all.Conditions.SelectMany(c => c.FieldsTested()),
        AnyOf any => any.Conditions.SelectMany(c => c.FieldsTested()),
        Not not => not.Condition.FieldsTested(),
        FieldTest test => [test.Field],
        _ => throw new InvalidOperationException($"{GetType().Name} is not a condition the stores know"),
    };
}
