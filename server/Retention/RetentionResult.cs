using Berth.Server.Units;

namespace Berth.Server.Retention;

/// <summary>The result of applying a retention policy: the units it removed, or with a dry run would remove.</summary>
public sealed record RetentionResult(bool DryRun, IReadOnlyList<UnitResponse> UnitsRemoved);
