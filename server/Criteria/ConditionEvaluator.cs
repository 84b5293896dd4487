namespace Berth.Server.Criteria;

/// <summary>
/// Tests a <see cref="Condition"/> against one document, for the stores that keep documents rather than query them
/// (the embedded store, users). PostgreSQL runs the same conditions as SQL (<c>PostgreSqlConditions</c>); the store
/// contract tests hold both to the same answers.
/// </summary>
public static class ConditionEvaluator
{
    public static bool Holds(Condition condition, IFieldValues document) => condition switch
    {
        Condition.AllOf all => all.Conditions.All(c => Holds(c, document)),
        Condition.AnyOf any => any.Conditions.Any(c => Holds(c, document)),
        Condition.Not not => !Holds(not.Condition, document),
        Condition.FieldTest test => Passes(test, document),
        _ => throw new ArgumentOutOfRangeException(nameof(condition)),
    };

    private static bool Passes(Condition.FieldTest test, IFieldValues document)
    {
        var field = test.Field;
        return test.Operator switch
        {
            TestOperator.Exists => document.Has(field),
            TestOperator.Equal =>
                (test.Values.Any(v => v is CriteriaValue.Nothing) && !document.Has(field))
                || document.ValuesOf(field).Any(found => test.Values.Any(wanted => CriteriaValue.Compare(found, wanted) == 0)),
            TestOperator.Matches => document.ValuesOf(field).Any(found => found is CriteriaValue.Text text && test.Pattern!.IsMatch(text.Value)),
            _ => document.ValuesOf(field).Any(found => CriteriaValue.Compare(found, test.Values[0]) is { } order && test.Operator switch
            {
                TestOperator.Greater => order > 0,
                TestOperator.GreaterOrEqual => order >= 0,
                TestOperator.Less => order < 0,
                _ => order <= 0,
            }),
        };
    }
}
