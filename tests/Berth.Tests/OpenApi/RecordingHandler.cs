using System.Collections.Concurrent;

namespace Berth.Tests.OpenApi;

/// <summary>Keeps every response a client received (method, path, status, media type, body), to check them afterwards.</summary>
public sealed class RecordingHandler() : DelegatingHandler(new HttpClientHandler { AllowAutoRedirect = false })
{
    public ConcurrentQueue<RecordedResponse> Responses { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Responses.Enqueue(new RecordedResponse(
            request.Method.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body));
        return response;
    }
}

public sealed record RecordedResponse(string Method, string Path, int Status, string? MediaType, string Body)
{
    public override string ToString() => $"{Method} {Path} -> {Status}";
}
