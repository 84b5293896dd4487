using System.Buffers;
using System.Security.Cryptography;

namespace Docker.Common.Digests;

/// <summary>
/// Computes a digest incrementally as bytes arrive, so that a blob is hashed while it streams to disk and never
/// has to be read again.
/// </summary>
public sealed class DigestCalculator : IDisposable
{
    private const int BufferSize = 1 << 20;
    private readonly IncrementalHash _hash;

    /// <summary>Starts a digest of the given algorithm.</summary>
    public DigestCalculator(DigestAlgorithm algorithm)
        : this(algorithm, (algorithm ?? throw new ArgumentNullException(nameof(algorithm))).CreateHash(), 0)
    {
    }

    private DigestCalculator(DigestAlgorithm algorithm, IncrementalHash hash, long length)
    {
        Algorithm = algorithm;
        _hash = hash;
        Length = length;
    }

    /// <summary>The algorithm.</summary>
    public DigestAlgorithm Algorithm { get; }

    /// <summary>How many bytes have been hashed.</summary>
    public long Length { get; private set; }

    /// <summary>Adds bytes to the digest.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        _hash.AppendData(bytes);
        Length += bytes.Length;
    }

    /// <summary>Adds the rest of a stream to the digest.</summary>
    public async Task AppendAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The digest of everything appended so far; appending may go on.</summary>
    public Digest Current() => Digest.FromHash(Algorithm, _hash.GetCurrentHash());

    /// <summary>An independent copy of the current state, to go back to if the next bytes are abandoned.</summary>
    public DigestCalculator Clone() => new(Algorithm, _hash.Clone(), Length);

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();

    /// <summary>Whether some bytes hash to the given digest.</summary>
    public static bool Matches(ReadOnlySpan<byte> content, Digest expected) =>
        CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(Digest.Compute(content, expected.Algorithm).Encoded),
            System.Text.Encoding.ASCII.GetBytes(expected.Encoded));
}
