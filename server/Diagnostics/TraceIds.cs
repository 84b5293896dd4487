using System.Diagnostics;

namespace Berth.Server.Diagnostics;

/// <summary>The trace id of a request, as its log line names it.</summary>
public static class TraceIds
{
    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var activity = Activity.Current;
        return activity is { IdFormat: ActivityIdFormat.W3C } && activity.TraceId != default
            ? activity.TraceId.ToHexString()
            : ActivityTraceId.CreateRandom().ToHexString();
    }
}
