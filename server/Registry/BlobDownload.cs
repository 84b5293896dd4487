using System.Buffers;

namespace Berth.Server.Registry;

/// <summary>
/// Sends a whole stored blob. ASP.NET's file result copies 64 KiB at a time and flushes after each; a blob of
/// gigabytes goes out much faster in large chunks, reading the next while the last is being sent. Ranged
/// requests still go through the file result, which knows Range, If-Range and their errors.
/// </summary>
internal static class BlobDownload
{
    private const int ChunkSize = 2 * 1024 * 1024;

    public static async Task SendAsync(HttpResponse response, string path, CancellationToken cancellationToken)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(file);
        response.ContentLength = length;
        byte[][] buffers = [ArrayPool<byte>.Shared.Rent(ChunkSize), ArrayPool<byte>.Shared.Rent(ChunkSize)];
        try
        {
            var reading = ReadAsync(file, buffers[0], 0, length, cancellationToken);
            for (long position = 0, chunk = 0; position < length; chunk++)
            {
                var read = await reading;
                var current = buffers[chunk % 2];
                position += read;
                reading = position < length ? ReadAsync(file, buffers[(chunk + 1) % 2], position, length, cancellationToken) : Task.FromResult(0);
                await response.BodyWriter.WriteAsync(current.AsMemory(0, read), cancellationToken);
            }

            await reading;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffers[0]);
            ArrayPool<byte>.Shared.Return(buffers[1]);
        }
    }

    private static async Task<int> ReadAsync(Microsoft.Win32.SafeHandles.SafeFileHandle file, byte[] buffer, long position, long length, CancellationToken cancellationToken)
    {
        var wanted = (int)Math.Min(ChunkSize, length - position);
        var read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, wanted), position, cancellationToken);
        return read == wanted ? read : throw new IOException($"a stored blob ended at {position + read} of its {length} bytes");
    }
}
