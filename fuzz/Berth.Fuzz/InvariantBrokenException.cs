namespace Berth.Fuzz;

/// <summary>A parser accepted an input but gave a result that breaks what its callers rely on.</summary>
internal sealed class InvariantBrokenException(string invariant) : Exception($"invariant broken: {invariant}");
