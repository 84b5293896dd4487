using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Cli.Connection;

namespace Berth.Cli.Uploads;

/// <summary>
/// Sends a local file through the content API: an upload request, its bytes in segments, then import_upload. A
/// segment whose connection drops is sent again from what the server says it holds, a few times, before giving up.
/// </summary>
public sealed class Uploader(BerthClient client, long chunkSize, int attempts = 4)
{
    public const long DefaultChunkSize = 64 * 1024 * 1024;

    /// <summary>Uploads the file's bytes; returns the upload id, ready to import.</summary>
    public async Task<string> UploadAsync(LocalBlob blob, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var uploadId = (await client.PostAsync("/content/uploads/", null, cancellationToken))["upload_id"]!.GetValue<string>();
        await using var file = new FileStream(blob.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        long offset = 0;
        var failures = 0;
        while (offset < blob.Size || (offset == 0 && blob.Size == 0))
        {
            var length = Math.Min(chunkSize, blob.Size - offset);
            try
            {
                file.Position = offset;
                using var content = new StreamContent(new SliceStream(file, length));
                content.Headers.ContentLength = length;
                await client.PutAsync($"/content/uploads/{uploadId}/{offset.ToString(CultureInfo.InvariantCulture)}/", content, cancellationToken);
                offset += length;
                progress?.Report(length);
                failures = 0;
                if (blob.Size == 0)
                {
                    break;
                }
            }
            catch (CliException e) when (e.ExitCode == ExitCode.Network && ++failures < attempts)
            {
                // Resume from what the server holds: it keeps a segment whole or not at all, so that is either where
                // this segment started or (when only the answer was lost) where it ended.
                await Task.Delay(TimeSpan.FromMilliseconds(250 * failures), cancellationToken);
                var held = (await client.GetAsync($"/content/uploads/{uploadId}/", cancellationToken))["size"]!.GetValue<long>();
                var resumed = Math.Min(held, offset + length);
                if (resumed > offset)
                {
                    progress?.Report(resumed - offset);
                }

                offset = resumed;
            }
        }

        return uploadId;
    }

    /// <summary>Imports an upload (or, with a null id, a unit without bits, such as a tag) into a repository.</summary>
    public Task<JsonNode> ImportAsync(string repository, string? uploadId, string unitTypeId, JsonObject unitKey, JsonObject? unitMetadata, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["upload_id"] = uploadId, ["unit_type_id"] = unitTypeId, ["unit_key"] = unitKey };
        if (unitMetadata is not null)
        {
            body["unit_metadata"] = unitMetadata;
        }

        return client.PostAsync($"/repositories/{Uri.EscapeDataString(repository)}/actions/import_upload/", body, cancellationToken);
    }

    /// <summary>A window onto part of a file, so that a segment is streamed, never held whole.</summary>
    private sealed class SliceStream(Stream inner, long size) : Stream
    {
        private readonly long _size = size;
        private long _left = size;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _size;

        public override long Position { get => _size - _left; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken);
            _left -= read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
