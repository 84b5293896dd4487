using Amazon.S3.Model;

namespace Berth.Server.Content.S3;

/// <summary>An object's bytes as they arrive; disposing it ends the response, and with it the connection's use.</summary>
internal sealed class S3ObjectStream(GetObjectResponse response) : ReadOnlyStream
{
    private readonly Stream _body = response.ResponseStream;

    public override long Length => response.ContentLength;

    public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _body.ReadAsync(buffer, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            response.Dispose();
        }

        base.Dispose(disposing);
    }
}
