namespace Berth.Server.Configuration;

/// <summary>How tasks (syncs, and the calls Pulp 2 runs as tasks) are kept track of: <c>Berth:Tasks</c>.</summary>
public sealed class TaskOptions
{
    /// <summary>
    /// How long a running task may go without its server saying it is still at it before it counts as abandoned (its server
    /// stopped or crashed) and ends in error; its server says so four times within it. The next sync picks up from what the
    /// abandoned one imported.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an ended task stays readable at <c>/tasks/{id}/</c>: imports, promotions, removals and repository
    /// deletions answer with a task too (as Pulp 2's calls do), so ended tasks are removed after this, as Pulp 2's reaper
    /// removes task statuses.
    /// </summary>
    public TimeSpan KeepEndedFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the leading server looks for sync schedules that are due; unset or zero turns schedules off.</summary>
    public TimeSpan? ScheduleCheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}
