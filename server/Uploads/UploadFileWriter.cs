using Berth.Server.Storage;
using Microsoft.Win32.SafeHandles;

namespace Berth.Server.Uploads;

/// <summary>
/// Writes chunks of an upload to its file. Whole aligned blocks go around the page cache (O_DIRECT) where the
/// file system allows it: a large blob then costs neither a kernel copy nor page cache that hot data needs, and
/// the fsync that acknowledges it has little left to flush. The unaligned head and tail of a segment, and
/// everything on file systems without O_DIRECT, are written through the page cache with early write-back.
/// </summary>
internal sealed class UploadFileWriter(SafeFileHandle buffered, SafeFileHandle? direct) : IDisposable
{
    private const int Block = NativeFiles.DirectAlignment;

    public static UploadFileWriter Open(SafeFileHandle buffered, string path) => new(buffered, NativeFiles.TryOpenDirect(path));

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
