namespace Berth.Server.Errors;

/// <summary>
/// Request bodies broken by the client that Kestrel reports without a <see cref="BadHttpRequestException"/>: a chunk
/// size too large to count surfaces as a plain <see cref="IOException"/> thrown by Kestrel's chunked body reader.
/// Telling these from a failing disk keeps a client's mistake from being logged and answered as a server fault.
/// </summary>
public static class RequestBodyFaults
{
    private const string KestrelNamespace = "Microsoft.AspNetCore.Server.Kestrel";

    public static bool IsMalformedBody(Exception exception) =>
        exception is IOException and not BadHttpRequestException && exception.TargetSite?.DeclaringType?.Namespace?.StartsWith(KestrelNamespace, StringComparison.Ordinal) == true;
}
