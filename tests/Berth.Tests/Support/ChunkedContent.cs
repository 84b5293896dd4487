namespace Berth.Tests.Support;

/// <summary>A body without a Content-Length (sent chunked), in pieces that each reach the server on their own.</summary>
public sealed class ChunkedContent(byte[] bytes, int pieces = 1) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        var size = (bytes.Length + pieces - 1) / pieces;
        for (var offset = 0; offset < bytes.Length; offset += size)
        {
            await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)));
            await stream.FlushAsync();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
