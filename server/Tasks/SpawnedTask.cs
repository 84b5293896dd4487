using System.Text.Json.Serialization;

namespace Berth.Server.Tasks;

/// <summary>A task a call started, as Pulp 2's call report lists it: where to poll it.</summary>
public sealed record SpawnedTask([property: JsonPropertyName("_href")] string Href, string TaskId)
{
    public static SpawnedTask Of(TaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new SpawnedTask(ContentApi.TaskHref(task.Id), task.Id);
    }
}
