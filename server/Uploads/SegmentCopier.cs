using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Docker.Common.Digests;

namespace Berth.Server.Uploads;

/// <summary>
/// Streams a request body into an upload's file from a position, hashing it on the way when asked. The body
/// is gathered into 1 MiB chunks (the pipe's segments are a few KiB) that pass through three stages, each on
/// its own task: receiving, hashing (in order), writing. Receiving, hashing and waiting for the disk overlap, so
/// an upload runs at the speed of its slowest stage rather than of all three. A fixed handful of chunks is all
/// the memory a copy takes, whatever the size of the body.
/// </summary>
internal static class SegmentCopier
{
    private const int ChunksInFlight = 3;

    /// <summary>
    /// Copies the body to the file from <paramref name="position"/>. Before the bytes of each read are taken,
    /// <paramref name="claimEnd"/> is told where they would end the upload; it throws to refuse them (past the
    /// largest upload, or beyond what the owner's uploads may hold), which fails the copy.
    /// </summary>
    /// <returns>The position after the last byte written.</returns>
    public static async Task<long> CopyAsync(
        PipeReader body, UploadFileWriter file, long position, DigestCalculator? hash, Func<long, ValueTask>? claimEnd, CancellationToken cancellationToken)
    {
        var spare = Channel.CreateUnbounded<AlignedChunk>();
        var received = Channel.CreateBounded<AlignedChunk>(new BoundedChannelOptions(ChunksInFlight) { SingleReader = true, SingleWriter = true });
        var hashed = Channel.CreateBounded<AlignedChunk>(new BoundedChannelOptions(ChunksInFlight) { SingleReader = true, SingleWriter = true });
        var chunks = Enumerable.Range(0, ChunksInFlight + 1).Select(_ => AlignedChunk.Rent()).ToList();
        foreach (var chunk in chunks.Skip(1))
        {
            spare.Writer.TryWrite(chunk);
        }

        var hashing = Task.Run(() => HashAllAsync(received.Reader, hashed.Writer, spare.Writer, hash, cancellationToken), cancellationToken);
        var writing = Task.Run(() => WriteAllAsync(hashed.Reader, spare.Writer, file, position, cancellationToken), cancellationToken);
        ReadOnlySequence<byte>? examining = null;
        try
        {
            var current = chunks[0];
            current.Position = position;
            var limit = UploadFileWriter.FirstChunkSize(position);
            var end = position;
            while (true)
            {
                var read = await body.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                examining = buffer;
                end += buffer.Length;
                if (claimEnd is not null)
                {
                    await claimEnd(end);
                }

                foreach (var segment in buffer)
                {
                    var rest = segment;
                    while (!rest.IsEmpty)
                    {
                        var take = Math.Min(rest.Length, limit - current.Count);
                        rest.Span[..take].CopyTo(current.Free);
                        current.Count += take;
                        rest = rest[take..];
                        if (current.Count == limit)
                        {
                            current = await HandOverAsync(current);
                            limit = AlignedChunk.Capacity;
                        }
                    }
                }

                body.AdvanceTo(buffer.End);
                examining = null;
                if (read.IsCompleted)
                {
                    break;
                }
            }

            if (current.Count > 0)
            {
                await HandOverAsync(current);
            }

            received.Writer.Complete();
            await hashing;
            return await writing;
        }
        catch (Exception e)
        {
            if (examining is { } unread)
            {
                // A read left open makes Kestrel fail while it drains the rest of the body after our refusal.
                body.AdvanceTo(unread.Start, unread.End);
            }

            received.Writer.TryComplete(e);
            try
            {
                await Task.WhenAll(hashing, writing);
            }
            catch (Exception) when (!hashing.IsCompletedSuccessfully || !writing.IsCompletedSuccessfully)
            {
                // The stages stopped because we did, or failed on their own; either way the copy has failed.
            }

            throw;
        }
        finally
        {
            foreach (var chunk in chunks)
            {
                AlignedChunk.Return(chunk);
            }
        }

        async ValueTask<AlignedChunk> HandOverAsync(AlignedChunk filled)
        {
            var next = await spare.Reader.ReadAsync(cancellationToken);
            next.Position = filled.Position + filled.Count;
            next.Count = 0;
            await received.Writer.WriteAsync(filled, cancellationToken);
            return next;
        }
    }

    private static async Task HashAllAsync(
        ChannelReader<AlignedChunk> received, ChannelWriter<AlignedChunk> hashed, ChannelWriter<AlignedChunk> spare, DigestCalculator? hash, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var chunk in received.ReadAllAsync(cancellationToken))
            {
                hash?.Append(chunk.Filled);
                await hashed.WriteAsync(chunk, cancellationToken);
            }

            hashed.Complete();
        }
        catch (Exception e)
        {
            hashed.TryComplete(e);
            spare.TryComplete(e);
            throw;
        }
    }

    private static async Task<long> WriteAllAsync(
        ChannelReader<AlignedChunk> hashed, ChannelWriter<AlignedChunk> spare, UploadFileWriter file, long end, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var chunk in hashed.ReadAllAsync(cancellationToken))
            {
                file.Write(chunk);
                end = chunk.Position + chunk.Count;
                spare.TryWrite(chunk);
            }
        }
        catch (Exception e)
        {
            // The receiving side waits for spare chunks: closing their channel tells it the copy is over.
            spare.TryComplete(e);
            throw;
        }

        return end;
    }
}
