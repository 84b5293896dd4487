namespace Berth.Server.Tasks;

/// <summary>Where a task is in its life, with Pulp 2's names on the wire.</summary>
public enum TaskState
{
    Waiting,
    Running,
    Finished,
    Error,
    Canceled,
}

/// <summary>The wire names of <see cref="TaskState"/>, and which states are ends.</summary>
public static class TaskStates
{
    public static string Name(this TaskState state) => state switch
    {
        TaskState.Waiting => "waiting",
        TaskState.Running => "running",
        TaskState.Finished => "finished",
        TaskState.Error => "error",
        TaskState.Canceled => "canceled",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static bool TryParse(string? text, out TaskState state)
    {
        foreach (var candidate in Enum.GetValues<TaskState>())
        {
            if (candidate.Name() == text)
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    /// <summary>Whether the task will not change again.</summary>
    public static bool IsEnded(this TaskState state) => state is TaskState.Finished or TaskState.Error or TaskState.Canceled;
}
