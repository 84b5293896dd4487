using Microsoft.AspNetCore.Http.Features;

namespace Berth.Server.Diagnostics;

/// <summary>
/// The bytes of a request's body read and of its response body sent, counted as they go (chunked bodies, JSON
/// answers and blob file sends alike): what the request log and the metrics report. A feature of the request, started
/// by the first of them to ask (<see cref="For"/>).
/// </summary>
public sealed class RequestRecord
{
    private RequestRecord()
    {
    }

    public ByteCount Received { get; } = new();

    public ByteCount Sent { get; } = new();

    /// <summary>
    /// The record of a request, started at the first call: its body (when it has one) and its response body are counted
    /// from then on.
    /// </summary>
    public static RequestRecord For(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var features = context.Features;
        if (features.Get<RequestRecord>() is { } started)
        {
            return started;
        }

        var record = new RequestRecord();
        if (Clients.RequestBodies.HasBody(context))
        {
            // The reader is taken before the stream is replaced: Kestrel would otherwise read the body through it.
            var reader = context.Request.BodyReader;
            context.Request.Body = new CountingStream(context.Request.Body, record.Received);
            features.Set<IRequestBodyPipeFeature>(new CountedRequestReader(new CountingPipeReader(reader, record.Received)));
        }

        if (features.Get<IHttpResponseBodyFeature>() is { } body)
        {
            features.Set<IHttpResponseBodyFeature>(new CountingResponseBody(body, record.Sent));
        }

        features.Set(record);
        return record;
    }

    private sealed class CountedRequestReader(System.IO.Pipelines.PipeReader reader) : IRequestBodyPipeFeature
    {
        public System.IO.Pipelines.PipeReader Reader => reader;
    }
}
