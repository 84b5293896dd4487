using System.Collections.Concurrent;
using System.Net;

namespace Berth.Tests.Support;

/// <summary>
/// An HTTP proxy on loopback in front of an upstream registry that counts what a sync asks for (tag lists, manifests,
/// blobs) and can hold blob downloads until released, so that a test sees a sync while it runs (to cancel it, or to ask
/// for a second one) without waiting on the clock.
/// </summary>
public sealed class UpstreamProxy : IAsyncDisposable
{
    private static readonly HashSet<string> SkippedHeaders = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Transfer-Encoding", "Content-Length", "Keep-Alive" };

    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Task _serving;
    private readonly ConcurrentQueue<string> _requests = new();
    private TaskCompletionSource _blobGate = Open();
    private int _blobsWaiting;
    private long _cutBlobAfter = -1;
    private int _failures;
    private int _failureStatus;

    public UpstreamProxy(Uri target)
    {
        Target = target;
        var port = LoopbackPorts.Take();
        Address = new Uri($"http://127.0.0.1:{port}");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public Uri Address { get; }

    /// <summary>Where requests go: settable, for a proxy whose address a server must know before its upstream runs.</summary>
    public Uri Target { get; set; }

    /// <summary>The requests forwarded so far, as <c>METHOD path</c>.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    public int Count(string method, string pathPart) => _requests.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal) && r.Contains(pathPart, StringComparison.Ordinal));

    /// <summary>How many blob downloads are held now.</summary>
    public int BlobsWaiting => Volatile.Read(ref _blobsWaiting);

    /// <summary>From now on blob downloads wait until <see cref="ReleaseBlobs"/>.</summary>
    public void HoldBlobs() => Interlocked.Exchange(ref _blobGate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void ReleaseBlobs() => Volatile.Read(ref _blobGate).TrySetResult();

    public void Forget() => _requests.Clear();

    /// <summary>The next blob download is cut after <paramref name="bytes"/> bytes: its connection reset, as a network failure would.</summary>
    public void CutNextBlobAfter(long bytes) => Interlocked.Exchange(ref _cutBlobAfter, bytes);

    /// <summary>The next <paramref name="count"/> requests are answered <paramref name="status"/> without reaching the upstream.</summary>
    public void FailNext(int count, HttpStatusCode status)
    {
        Volatile.Write(ref _failureStatus, (int)status);
        Volatile.Write(ref _failures, count);
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseBlobs();
        _listener.Stop();
        try
        {
            await _serving;
        }
        catch (HttpListenerException)
        {
            // Stopped.
        }

        _listener.Close();
        _upstream.Dispose();
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ForwardAsync(context));
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        var path = context.Request.RawUrl ?? "/";
        var range = context.Request.Headers["Range"];
        _requests.Enqueue($"{context.Request.HttpMethod} {path}{(range is null ? "" : " " + range)}");
        try
        {
            if (Interlocked.Decrement(ref _failures) >= 0)
            {
                context.Response.StatusCode = Volatile.Read(ref _failureStatus);
                context.Response.Close();
                return;
            }

            if (path.Contains("/blobs/", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _blobsWaiting);
                try
                {
                    await Volatile.Read(ref _blobGate).Task;
                }
                finally
                {
                    Interlocked.Decrement(ref _blobsWaiting);
                }
            }

            using var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), new Uri(Target, path));
            foreach (var name in context.Request.Headers.AllKeys.OfType<string>().Where(n => !SkippedHeaders.Contains(n)))
            {
                request.Headers.TryAddWithoutValidation(name, context.Request.Headers.GetValues(name) ?? []);
            }

            using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers).Where(h => !SkippedHeaders.Contains(h.Key)))
            {
                foreach (var value in values)
                {
                    context.Response.AppendHeader(name, value);
                }
            }

            if (response.Content.Headers.ContentLength is { } length)
            {
                context.Response.ContentLength64 = length;
            }

            await using var body = await response.Content.ReadAsStreamAsync();
            // Only a blob longer than the cut is cut: a shorter one leaves it for the next.
            var cut = path.Contains("/blobs/", StringComparison.Ordinal) && context.Request.HttpMethod == "GET" ? Volatile.Read(ref _cutBlobAfter) : -1;
            if (cut >= 0 && response.Content.Headers.ContentLength > cut && Interlocked.CompareExchange(ref _cutBlobAfter, -1, cut) == cut)
            {
                var buffer = new byte[cut];
                await body.ReadExactlyAsync(buffer);
                await context.Response.OutputStream.WriteAsync(buffer);
                await context.Response.OutputStream.FlushAsync();
                context.Response.Abort();
                return;
            }

            await body.CopyToAsync(context.Response.OutputStream);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or HttpRequestException or IOException or ObjectDisposedException)
        {
            // The client (a cancelled sync) or the upstream went away.
            try
            {
                context.Response.Abort();
            }
            catch (ObjectDisposedException)
            {
                // Already gone.
            }
        }
    }
}
