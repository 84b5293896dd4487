using Microsoft.AspNetCore.Http.Features;

namespace Berth.Server.Diagnostics;

/// <summary>
/// What the request log learns of a request while it runs: the bytes of its body read and of its response sent, and
/// the route template when the endpoint's own says too little (the registry's one catch-all route names its endpoint
/// itself, <see cref="NameRoute"/>). A feature of the request, present while <see cref="RequestLog"/> is.
/// </summary>
public sealed class RequestRecord
{
    private RequestRecord()
    {
    }

    public ByteCount Received { get; } = new();

    public ByteCount Sent { get; } = new();

    /// <summary>The route template named by the endpoint itself, if it named one.</summary>
    public string? Route { get; private set; }

    /// <summary>
    /// Starts the record of a request: its body (when it has one) and its response body are counted from now on.
    /// </summary>
    public static RequestRecord Start(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var record = new RequestRecord();
        var features = context.Features;
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

    /// <summary>
    /// Names the route template the request took, for an endpoint that dispatches several under one route (the
    /// registry's <c>/v2/{**path}</c>): a template, never the path, so that what is grouped by it stays bounded.
    /// </summary>
    public static void NameRoute(HttpContext context, string template)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<RequestRecord>() is { } record)
        {
            record.Route = template;
        }
    }

    private sealed class CountedRequestReader(System.IO.Pipelines.PipeReader reader) : IRequestBodyPipeFeature
    {
        public System.IO.Pipelines.PipeReader Reader => reader;
    }
}
