using System.Runtime.InteropServices;
using Berth.Server.Storage;

namespace Berth.Server.Uploads;

/// <summary>
/// A chunk of native memory aligned for O_DIRECT writes, holding part of an upload on its way to disk. Chunks
/// are kept for reuse (<see cref="Rent"/>, <see cref="Return"/>): fresh 1 MiB allocations are mapped and faulted
/// in page by page, which costs small uploads more than their copying does.
/// </summary>
internal sealed unsafe class AlignedChunk : IDisposable
{
    public const int Capacity = 1024 * 1024;

    // Enough for a few dozen uploads at once; more are allocated and freed as needed.
    private const int MaxKept = 64;
    private static readonly System.Collections.Concurrent.ConcurrentBag<AlignedChunk> Kept = [];

    private byte* _memory = (byte*)NativeMemory.AlignedAlloc(Capacity, NativeFiles.DirectAlignment);

    private AlignedChunk()
    {
    }

    public static AlignedChunk Rent() => Kept.TryTake(out var chunk) ? chunk : new AlignedChunk();

    public static void Return(AlignedChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        chunk.Count = 0;
        chunk.Position = 0;
        if (Kept.Count < MaxKept)
        {
            Kept.Add(chunk);
        }
        else
        {
            chunk.Dispose();
        }
    }

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
