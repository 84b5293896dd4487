using Berth.Server.Storage;
using Microsoft.Win32.SafeHandles;

namespace Berth.Server.Uploads;

/// <summary>
/// Writes chunks of an upload to its file, through the page cache with early write-back, so that the fsync that
/// acknowledges a segment has little left to flush. With direct writes on (<see cref="Configuration.BerthOptions.DirectUploads"/>),
/// whole aligned blocks go around the page cache (O_DIRECT) where the file system allows it: a large blob then
/// costs neither a kernel copy nor page cache; the unaligned head and tail of a segment still go through it.
/// </summary>
internal sealed class UploadFileWriter(SafeFileHandle buffered, SafeFileHandle? direct) : IDisposable
{
    private const int Block = NativeFiles.DirectAlignment;

    /// <summary>Writes through the given handle, and around the page cache too when <paramref name="direct"/> is asked and possible.</summary>
    public static UploadFileWriter Open(SafeFileHandle buffered, string path, bool direct) =>
        new(buffered, direct ? NativeFiles.TryOpenDirect(path) : null);

    /// <summary>How many bytes the first chunk of a segment starting at <paramref name="position"/> should hold so that every later chunk starts on a block.</summary>
    public static int FirstChunkSize(long position) => AlignedChunk.Capacity - (int)(position % Block);

    public void Write(AlignedChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var bytes = chunk.Filled;
        var position = chunk.Position;
        if (direct is not null && position % Block == 0)
        {
            var whole = bytes.Length - (bytes.Length % Block);
            if (whole > 0)
            {
                RandomAccess.Write(direct, bytes[..whole], position);
                bytes = bytes[whole..];
                position += whole;
            }
        }

        if (!bytes.IsEmpty)
        {
            RandomAccess.Write(buffered, bytes, position);
            NativeFiles.StartWriteBack(buffered, position, bytes.Length);
        }
    }

    public void Dispose() => direct?.Dispose();
}
