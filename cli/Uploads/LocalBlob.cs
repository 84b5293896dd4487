using Docker.Common.Digests;

namespace Berth.Cli.Uploads;

/// <summary>A file to upload, with the digest and size its bytes have (computed by reading it once).</summary>
public sealed record LocalBlob(string Path, Digest Digest, long Size)
{
    private const int BufferSize = 1024 * 1024;

    /// <summary>Hashes the file; with <paramref name="expected"/>, refuses a file whose bytes do not match it.</summary>
    public static async Task<LocalBlob> ReadAsync(string path, Digest? expected, CancellationToken cancellationToken)
    {
        RequireFile(path);

        using var calculator = new DigestCalculator(expected?.Algorithm ?? DigestAlgorithm.Sha256);
        var buffer = new byte[BufferSize];
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                calculator.Append(buffer.AsSpan(0, read));
            }
        }

        var digest = calculator.Current();
        if (expected is { } wanted && digest != wanted)
        {
            throw CliException.Usage($"{path} is corrupted: it should hash to {wanted} but hashes to {digest}; nothing was uploaded");
        }

        return new LocalBlob(path, digest, calculator.Length);
    }

    /// <summary>Refuses a path that is not a file, before anything slower (hashing, asking the server) is done.</summary>
    public static void RequireFile(string path)
    {
        if (!File.Exists(path))
        {
            throw CliException.Usage($"{path}: no such file");
        }
    }
}
