using System.Text;
using Docker.Common.Digests;

namespace Berth.Fuzz;

/// <summary>
/// The digest grammar every path, header and document goes through. An accepted digest is canonical: its text is
/// exactly the input, its hex has the algorithm's length in lowercase, so two spellings never name one blob.
/// </summary>
internal sealed class DigestTarget : FuzzTarget
{
    public override string Name => "digest";

    public override IReadOnlyList<string> InstrumentedAssemblies => ["Docker.Common.dll"];

    public override IEnumerable<string> Dictionary => ["sha256:", "sha512:", "sha384:", "blake3:", "+", ".", "_", "A", "F", "\u0130", "\u212A"];

    public override IEnumerable<(string Name, string Content)> Seeds()
    {
        yield return ("sha256", "sha256:" + new string('a', 64));
        yield return ("sha512", "sha512:" + new string('0', 128));
        yield return ("other-algorithm", "blake3:" + new string('f', 64));
        yield return ("short", "sha256:abc");
    }

    public override bool Run(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (!Digest.TryParse(text, out var digest, out var problem))
        {
            Expect(!string.IsNullOrWhiteSpace(problem), "a refused digest comes with a reason");
            return false;
        }

        Expect(digest.ToString() == text, "an accepted digest is written exactly as it was read");
        Expect(digest.Encoded.Length == digest.Algorithm.EncodedLength, "the hex part has the algorithm's length");
        Expect(digest.Encoded.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)), "the hex part is lowercase hex");
        Expect(Digest.Parse(digest.ToString()) == digest, "an accepted digest parses back to itself");

        return true;
    }
}
