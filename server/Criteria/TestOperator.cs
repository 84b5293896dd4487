namespace Berth.Server.Criteria;

public enum TestOperator
{
    Equal,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,

    /// <summary>A string value matches the <see cref="Condition.FieldTest.Pattern"/>.</summary>
    Matches,

    /// <summary>The field is there, even holding null.</summary>
    Exists,
}
