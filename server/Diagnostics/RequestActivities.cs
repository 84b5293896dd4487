using System.Diagnostics;

namespace Berth.Server.Diagnostics;

/// <summary>
/// Makes ASP.NET Core start an activity for every request, so that each request has a trace id, taken from a valid
/// W3C <c>traceparent</c> header when the request carries one. ASP.NET Core starts one by itself only while something
/// listens (a diagnostic listener, an activity listener, or its hosting log category enabled at all), and an operator
/// who silences <c>Microsoft.AspNetCore</c> would otherwise lose the caller's trace ids. A malformed header is
/// ignored: the request gets a fresh id (<see cref="TraceIds"/>).
/// </summary>
public sealed class RequestActivities : IDisposable
{
    /// <summary>The activity source ASP.NET Core's hosting starts request activities from.</summary>
    public const string HostingSource = "Microsoft.AspNetCore";

    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == HostingSource,

        // Ids and the parent's context, nothing recorded: what a trace id in a log line needs, at the least cost.
        Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
        SampleUsingParentId = static (ref ActivityCreationOptions<string> _) => ActivitySamplingResult.PropagationData,
    };

    public RequestActivities() => ActivitySource.AddActivityListener(_listener);

    public void Dispose() => _listener.Dispose();
}
