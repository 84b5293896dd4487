using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Docker.Common.Digests;

/// <summary>
/// A content digest, <c>algorithm:hex</c>, always valid once constructed: the algorithm is one Berth verifies
/// and the hex part has that algorithm's length in lowercase (OCI image spec, "Digests").
/// </summary>
[JsonConverter(typeof(DigestJsonConverter))]
public readonly record struct Digest
{
    private Digest(DigestAlgorithm algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    /// <summary>The algorithm.</summary>
    public DigestAlgorithm Algorithm { get; }

    /// <summary>The encoded hash: lowercase hex.</summary>
    public string Encoded { get; }

    /// <summary>Parses a digest.</summary>
    /// <exception cref="FormatException">With a message that says what is wrong with the text.</exception>
    public static Digest Parse(string text) =>
        TryParse(text, out var digest, out var problem) ? digest : throw new FormatException(problem);

    /// <summary>Parses a digest, without saying why it failed.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Digest digest) => TryParse(text, out digest, out _);

    /// <summary>Parses a digest; on failure <paramref name="problem"/> says what is wrong in one sentence.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Digest digest, [NotNullWhen(false)] out string? problem)
    {
        digest = default;
        var check = DigestGrammar.Check(text);
        if (check.Problem is not null)
        {
            problem = check.Problem;
            return false;
        }

        digest = new Digest(check.Algorithm!, check.Encoded!);
        problem = null;
        return true;
    }

    /// <summary>Makes a digest from a finished hash.</summary>
    public static Digest FromHash(DigestAlgorithm algorithm, ReadOnlySpan<byte> hash)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        if (hash.Length * 2 != algorithm.EncodedLength)
        {
            throw new ArgumentException($"A {algorithm.Name} hash has {algorithm.EncodedLength / 2} bytes, not {hash.Length}.", nameof(hash));
        }

        return new Digest(algorithm, Convert.ToHexStringLower(hash));
    }

    /// <summary>Computes the digest of some bytes.</summary>
    public static Digest Compute(ReadOnlySpan<byte> content, DigestAlgorithm? algorithm = null)
    {
        algorithm ??= DigestAlgorithm.Sha256;
        using var hash = algorithm.CreateHash();
        hash.AppendData(content);
        return FromHash(algorithm, hash.GetHashAndReset());
    }

    /// <summary>Computes the digest of a stream, reading it to its end in bounded memory.</summary>
    public static async Task<Digest> ComputeAsync(Stream content, DigestAlgorithm? algorithm, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var calculator = new DigestCalculator(algorithm ?? DigestAlgorithm.Sha256);
        await calculator.AppendAsync(content, cancellationToken).ConfigureAwait(false);
        return calculator.Current();
    }

    /// <inheritdoc />
    public override string ToString() => Algorithm is null ? string.Empty : $"{Algorithm.Name}:{Encoded}";
}
