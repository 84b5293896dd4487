namespace Berth.Server.Tasks;

/// <summary>What a task does: Pulp 2's task type and the action its tags name (<c>pulp:action:sync</c>).</summary>
public sealed record TaskKind(string TaskType, string Action)
{
    public static readonly TaskKind Sync = new("pulp.server.managers.repo.sync.sync", "sync");

    private static readonly TaskKind[] Known = [Sync];

    /// <summary>The kind of a stored task type; one this server does not know keeps its type and has no action.</summary>
    public static TaskKind Of(string taskType) => Known.FirstOrDefault(k => k.TaskType == taskType) ?? new(taskType, "");
}
