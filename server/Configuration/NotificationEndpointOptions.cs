namespace Berth.Server.Configuration;

/// <summary>One listener of events (<c>Berth:Notifications:Endpoints:N</c>): only <see cref="Url"/> is needed.</summary>
public sealed class NotificationEndpointOptions
{
    /// <summary>Names the endpoint in logs and keys its delivery cursor; by default its <see cref="Url"/>.</summary>
    public string? Name { get; set; }

    /// <summary>Where events are POSTed: an absolute http or https address.</summary>
    public string? Url { get; set; }

    /// <summary>Headers sent with every delivery (an <c>Authorization</c>, say).</summary>
    public Dictionary<string, string> Headers { get; set; } = [];

    /// <summary>The actions sent (<c>push</c>, <c>pull</c>, ...); none listed: all.</summary>
    public List<string> Actions { get; set; } = [];

    /// <summary>The repositories whose events are sent: names, or patterns with <c>*</c> and <c>?</c>; none listed: all.</summary>
    public List<string> Repositories { get; set; } = [];

    /// <summary>How long one delivery may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before the first retry of a failed delivery; it doubles at each failure, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan Backoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between retries.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>What the endpoint is called: its <see cref="Name"/>, else its <see cref="Url"/>.</summary>
    public string Key => Name is { Length: > 0 } name ? name : Url ?? string.Empty;
}
