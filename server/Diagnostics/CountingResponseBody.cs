using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Server.Diagnostics;

/// <summary>
/// The response body as the request log sees it: whatever is written through its stream or its writer, or sent as a
/// file, is counted. Installed before the registry's own file sending (<see cref="Registry.BlobDownload"/>), which
/// then writes through the counting writer.
/// </summary>
internal sealed class CountingResponseBody(IHttpResponseBodyFeature inner, ByteCount bytes) : IHttpResponseBodyFeature
{
    private Stream? _stream;
    private PipeWriter? _writer;

    public Stream Stream => _stream ??= new CountingStream(inner.Stream, bytes);

    public PipeWriter Writer => _writer ??= new CountingPipeWriter(inner.Writer, bytes);

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task CompleteAsync() => inner.CompleteAsync();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await inner.SendFileAsync(path, offset, count, cancellationToken);
        bytes.Add(count ?? new FileInfo(path).Length - offset);
    }
}
