using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Cli.Connection;
using Berth.Cli.Repositories;

namespace Berth.Cli.Uploads;

/// <summary>
/// Sends a local file through the content API: an upload request, its bytes in segments, then import_upload. A
/// segment whose connection drops is sent again from what the server says it holds, a few times, before giving up.
/// An upload that is not imported in the end is deleted: the server keeps a refused one for another try, holding its
/// owner's disk and upload quota until it expires.
/// </summary>
public sealed class Uploader(BerthClient client, long chunkSize, int attempts = 4)
{
    public const long DefaultChunkSize = 64 * 1024 * 1024;
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Uploads the file's bytes and imports them into the repository; returns the imported unit.</summary>
    public async Task<JsonNode> UploadAndImportAsync(
        KnownRepository repository, LocalBlob blob, string unitTypeId, JsonObject unitKey, JsonObject? unitMetadata, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var uploadId = (await client.PostAsync("/content/uploads/", null, cancellationToken))["upload_id"]!.GetValue<string>();
        try
        {
            await SendAsync(uploadId, blob, progress, cancellationToken);
            return await ImportAsync(repository, uploadId, unitTypeId, unitKey, unitMetadata, cancellationToken);
        }
        catch
        {
            await DeleteAsync(uploadId);
            throw;
        }
    }

    /// <summary>Imports a unit without bits, such as a tag, into a repository.</summary>
    public Task<JsonNode> ImportAsync(KnownRepository repository, string unitTypeId, JsonObject unitKey, JsonObject? unitMetadata, CancellationToken cancellationToken) =>
        ImportAsync(repository, null, unitTypeId, unitKey, unitMetadata, cancellationToken);

    private async Task SendAsync(string uploadId, LocalBlob blob, IProgress<long>? progress, CancellationToken cancellationToken)
    {
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
    }

    private Task<JsonNode> ImportAsync(KnownRepository repository, string? uploadId, string unitTypeId, JsonObject unitKey, JsonObject? unitMetadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var body = new JsonObject { ["upload_id"] = uploadId, ["unit_type_id"] = unitTypeId, ["unit_key"] = unitKey };
        if (unitMetadata is not null)
        {
            body["unit_metadata"] = unitMetadata;
        }

        return client.PostAsync($"{repository.Path}actions/import_upload/", body, cancellationToken);
    }

    /// <summary>
    /// Deletes an upload after a failure, with a time of its own (the command's may be what was cancelled). Its own
    /// failure is not reported over the one that caused it: the server purges forgotten uploads when they expire.
    /// </summary>
    private async Task DeleteAsync(string uploadId)
    {
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await client.DeleteAsync($"/content/uploads/{uploadId}/", timeout.Token);
        }
        catch (Exception e) when (e is CliException or ServerRefusedException or OperationCanceledException)
        {
        }
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
