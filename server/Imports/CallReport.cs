namespace Berth.Server.Imports;

/// <summary>
/// Pulp 2's call report for an operation that completed within the request: its result, no tasks. Typed by its
/// result, so that the OpenAPI document describes what each operation really answers.
/// </summary>
public sealed record CallReport<TResult>(TResult Result)
{
    public object? Error => null;

    public IReadOnlyList<string> SpawnedTasks { get; } = [];
}

/// <summary>The call reports with no result: a removal, a revocation.</summary>
public static class CallReport
{
    public static CallReport<object?> Done { get; } = new(null);
}
