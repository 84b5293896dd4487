namespace Berth.Server.Configuration;

/// <summary>The Prometheus scrape endpoint (<c>Berth:Metrics:*</c>).</summary>
public sealed class MetricsOptions
{
    public const string DefaultPath = "/metrics";

    /// <summary>Where the exposition is served; outside both APIs' roots.</summary>
    public string Path { get; set; } = DefaultPath;

    /// <summary>Whether a path can serve the exposition: absolute, and taken by neither API.</summary>
    public static bool IsServable(string? path) =>
        path is ['/', ..] &&
        !Registry.RegistryApi.Owns(path) &&
        !new PathString(path).StartsWithSegments(ContentApi.Root, StringComparison.Ordinal);

    /// <summary>Who may scrape it.</summary>
    public MetricsAccess Access { get; set; } = MetricsAccess.Anyone;
}
