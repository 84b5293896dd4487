using System.Security.Cryptography;

namespace Docker.Common.Digests;

/// <summary>A digest algorithm that Berth verifies: the OCI image spec's registered sha256 and sha512.</summary>
public sealed class DigestAlgorithm
{
    /// <summary>SHA-256, the default of every client.</summary>
    public static readonly DigestAlgorithm Sha256 = new("sha256", HashAlgorithmName.SHA256, 64);

    /// <summary>SHA-512.</summary>
    public static readonly DigestAlgorithm Sha512 = new("sha512", HashAlgorithmName.SHA512, 128);

    private DigestAlgorithm(string name, HashAlgorithmName hashName, int encodedLength)
    {
        Name = name;
        HashName = hashName;
        EncodedLength = encodedLength;
    }

    /// <summary>The algorithm's name as written in a digest.</summary>
    public string Name { get; }

    /// <summary>The .NET hash algorithm behind it.</summary>
    public HashAlgorithmName HashName { get; }

    /// <summary>How many lowercase hex characters the encoded part has.</summary>
    public int EncodedLength { get; }

    /// <summary>Every supported algorithm.</summary>
    public static IReadOnlyList<DigestAlgorithm> All { get; } = [Sha256, Sha512];

    /// <summary>Finds an algorithm by name.</summary>
    public static DigestAlgorithm? FromName(string name) =>
        All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));

    /// <summary>Starts an incremental hash of this algorithm.</summary>
    public IncrementalHash CreateHash() => IncrementalHash.CreateHash(HashName);

    /// <inheritdoc />
    public override string ToString() => Name;
}
