using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Win32.SafeHandles;

namespace Berth.Server.Registry;

/// <summary>
/// The response's sendfile path, for blobs: Kestrel implements <see cref="IHttpResponseBodyFeature.SendFileAsync"/>
/// by copying 64 KiB at a time and flushing after each, which holds a multi-gigabyte blob back; this one reads
/// 2 MiB at a time, the next piece while the last is being sent. Everything else is Kestrel's own. File results
/// (<c>Results.File</c>, with its Range and If-None-Match handling) send through it.
/// </summary>
internal sealed class BlobDownload(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
{
    private const int ChunkSize = 2 * 1024 * 1024;

    public Stream Stream => inner.Stream;

    public PipeWriter Writer => inner.Writer;

    /// <summary>Sends registry responses' files through a <see cref="BlobDownload"/>.</summary>
    public static Task UseAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (RegistryApi.Owns(context.Request.Path) && context.Features.Get<IHttpResponseBodyFeature>() is { } body)
        {
            context.Features.Set<IHttpResponseBodyFeature>(new BlobDownload(body));
        }

        return next();
    }

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task CompleteAsync() => inner.CompleteAsync();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.SequentialScan);
        var end = count is { } length ? offset + length : RandomAccess.GetLength(file);
        byte[][] buffers = [ArrayPool<byte>.Shared.Rent(ChunkSize), ArrayPool<byte>.Shared.Rent(ChunkSize)];
        try
        {
            var reading = ReadAsync(file, buffers[0], offset, end, cancellationToken);
            for (long position = offset, piece = 0; position < end; piece++)
            {
                var read = await reading;
                var current = buffers[piece % 2];
                position += read;
                reading = position < end ? ReadAsync(file, buffers[(piece + 1) % 2], position, end, cancellationToken) : Task.FromResult(0);
                await inner.Writer.WriteAsync(current.AsMemory(0, read), cancellationToken);
            }

            await reading;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffers[0]);
            ArrayPool<byte>.Shared.Return(buffers[1]);
        }
    }

    private static async Task<int> ReadAsync(SafeFileHandle file, byte[] buffer, long position, long end, CancellationToken cancellationToken)
    {
        var wanted = (int)Math.Min(ChunkSize, end - position);
        var read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, wanted), position, cancellationToken);
        return read == wanted ? read : throw new IOException($"a stored blob ended at {position + read} bytes, before {end}");
    }
}
