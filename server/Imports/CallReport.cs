using System.Text.Json.Nodes;

namespace Berth.Server.Imports;

/// <summary>Pulp 2's call report for an operation that completed within the request: its result, no tasks.</summary>
public sealed record CallReport(JsonNode? Result)
{
    public object? Error => null;

    public IReadOnlyList<string> SpawnedTasks { get; } = [];
}
