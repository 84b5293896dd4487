using System.Buffers;
using Berth.Server.Content;
using Microsoft.Net.Http.Headers;

namespace Berth.Server.Registry;

/// <summary>
/// A blob's bytes (or the one range asked for) streamed from the content store to the client with a bounded buffer,
/// whatever the blob's size.
/// </summary>
internal sealed class BlobContentResult(ContentRead read, ByteRange? range, long size, EntityTagHeaderValue entityTag) : IResult
{
    private const int BufferSize = 128 * 1024;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        await using (read)
        {
            var response = httpContext.Response;
            response.StatusCode = range is null ? StatusCodes.Status200OK : StatusCodes.Status206PartialContent;
            response.ContentType = BlobHandler.OctetStream;
            response.ContentLength = read.Length;
            response.Headers.AcceptRanges = "bytes";
            response.Headers.ETag = entityTag.ToString();
            if (range is { } part)
            {
                response.Headers.ContentRange = new ContentRangeHeaderValue(part.Offset, part.Last, size).ToString();
            }

            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                var left = read.Length;
                while (left > 0)
                {
                    var count = await read.Stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), httpContext.RequestAborted);
                    if (count == 0)
                    {
                        // The store ended early: the client must see a broken response, not a short blob it takes as whole.
                        throw new IOException($"the content store ended the blob {left} bytes early");
                    }

                    await response.Body.WriteAsync(buffer.AsMemory(0, count), httpContext.RequestAborted);
                    left -= count;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
