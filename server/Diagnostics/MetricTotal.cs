namespace Berth.Server.Diagnostics;

/// <summary>How many measurements an instrument took since the start, their sum, and its unit.</summary>
public sealed record MetricTotal(long Count, double Sum, string? Unit);
