using System.Runtime.InteropServices;
using Berth.Server.Storage;

namespace Berth.Server.Uploads;

/// <summary>A chunk of native memory aligned for O_DIRECT writes, holding part of an upload on its way to disk.</summary>
internal sealed unsafe class AlignedChunk : IDisposable
{
    public const int Capacity = 1024 * 1024;

    private byte* _memory = (byte*)NativeMemory.AlignedAlloc(Capacity, NativeFiles.DirectAlignment);

    /// <summary>How many bytes the chunk holds.</summary>
    public int Count { get; set; }

    /// <summary>Where in the file the chunk's first byte goes.</summary>
    public long Position { get; set; }

    public Span<byte> Free => new(_memory + Count, Capacity - Count);

    public ReadOnlySpan<byte> Filled => new(_memory, Count);

    public void Dispose()
    {
        if (_memory is not null)
        {
            NativeMemory.AlignedFree(_memory);
            _memory = null;
        }
    }
}
