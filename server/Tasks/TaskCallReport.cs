namespace Berth.Server.Tasks;

/// <summary>Pulp 2's call report for work that runs as a task (202 Accepted): no result yet, the task to poll.</summary>
public sealed record TaskCallReport(IReadOnlyList<SpawnedTask> SpawnedTasks)
{
    public object? Result => null;

    public object? Error => null;
}
