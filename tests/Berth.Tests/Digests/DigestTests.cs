using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.Common.Digests;
using NUnit.Framework;

namespace Berth.Tests.Digests;

public sealed class DigestTests
{
    private const string EmptySha256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Test]
    public void Parse_ValidSha256_KeepsAlgorithmAndHex()
    {
        var digest = Digest.Parse(EmptySha256);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(digest.Algorithm, Is.SameAs(DigestAlgorithm.Sha256));
            Assert.That(digest.Encoded, Is.EqualTo(EmptySha256[7..]));
            Assert.That(digest.ToString(), Is.EqualTo(EmptySha256));
        }
    }

    [Test]
    public void Parse_ValidSha512_IsAccepted()
    {
        var text = "sha512:" + Convert.ToHexStringLower(SHA512.HashData(Array.Empty<byte>()));
        Assert.That(Digest.Parse(text).Algorithm, Is.SameAs(DigestAlgorithm.Sha512));
    }

    [TestCase(null, "required")]
    [TestCase("", "required")]
    [TestCase("sha256", "algorithm:hex")]
    [TestCase("sha256:", "algorithm:hex")]
    [TestCase(":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "algorithm:hex")]
    [TestCase("SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "not a valid algorithm name")]
    [TestCase("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "lowercase hex")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", "exactly 64")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", "exactly 64")]
    [TestCase("sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "lowercase hex")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85/", "may only hold")]
    [TestCase("sha256:../../etc/passwd", "may only hold")]
    [TestCase("md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported digest algorithm 'md5'")]
    [TestCase("sha384:38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b", "unsupported")]
    [TestCase("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "unsupported")]
    [TestCase("sha256::e3b0", "may only hold")]
    [TestCase("sha-256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "unsupported")]
    [TestCase("sha256-:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "not a valid algorithm name")]
    [TestCase(" sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "not a valid algorithm name")]
    public void TryParse_Invalid_FailsSayingWhy(string? text, string reason)
    {
        var parsed = Digest.TryParse(text, out _, out var problem);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.False);
            Assert.That(problem, Does.Contain(reason));
        }
    }

    [Test]
    public void Parse_Invalid_ThrowsFormatExceptionWithTheReason() =>
        Assert.That(() => Digest.Parse("md5:abc"), Throws.TypeOf<FormatException>().With.Message.Contains("md5"));

    [Test]
    public void Parse_VeryLongText_IsRefusedWithoutEchoingItWhole()
    {
        var text = "sha256:" + new string('a', 10_000);
        Assert.That(Digest.TryParse(text, out _, out var problem), Is.False);
        Assert.That(problem!, Has.Length.LessThan(200));
    }

    [Test]
    public void Compute_MatchesTheStandardHash()
    {
        var bytes = Encoding.UTF8.GetBytes("hello berth");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Digest.Compute(bytes).ToString(), Is.EqualTo("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes))));
            Assert.That(Digest.Compute(bytes, DigestAlgorithm.Sha512).ToString(), Is.EqualTo("sha512:" + Convert.ToHexStringLower(SHA512.HashData(bytes))));
            Assert.That(Digest.Compute([]).ToString(), Is.EqualTo(EmptySha256));
        }
    }

    [Test]
    public async Task ComputeAsync_OverAStream_EqualsComputeOverTheBytes()
    {
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        using var stream = new MemoryStream(bytes);
        Assert.That(await Digest.ComputeAsync(stream, null, CancellationToken.None), Is.EqualTo(Digest.Compute(bytes)));
    }

    [Test]
    public void Calculator_AppendedInPieces_EqualsOneShot_AndCloneIsIndependent()
    {
        var bytes = RandomNumberGenerator.GetBytes(100_000);
        using var calculator = new DigestCalculator(DigestAlgorithm.Sha256);
        calculator.Append(bytes.AsSpan(0, 40_000));
        using var checkpoint = calculator.Clone();
        calculator.Append(bytes.AsSpan(40_000));
        checkpoint.Append(RandomNumberGenerator.GetBytes(10));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(calculator.Current(), Is.EqualTo(Digest.Compute(bytes)));
            Assert.That(calculator.Length, Is.EqualTo(bytes.Length));
            Assert.That(checkpoint.Length, Is.EqualTo(40_010));
            Assert.That(checkpoint.Current(), Is.Not.EqualTo(calculator.Current()));
        }
    }

    [Test]
    public void Matches_ComparesBytesWithDigest()
    {
        var bytes = "abc"u8.ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(DigestCalculator.Matches(bytes, Digest.Compute(bytes)), Is.True);
            Assert.That(DigestCalculator.Matches("abd"u8, Digest.Compute(bytes)), Is.False);
        }
    }

    [Test]
    public void Equality_IsByValue()
    {
        using (Assert.EnterMultipleScope())
        {
            var first = Digest.Parse(EmptySha256);
            var second = Digest.Parse(string.Concat("sha256:", EmptySha256.AsSpan(7)));
            Assert.That(first, Is.EqualTo(second));
            Assert.That(first.GetHashCode(), Is.EqualTo(second.GetHashCode()));
            Assert.That(first, Is.Not.EqualTo(Digest.Compute("x"u8)));
        }
    }

    [Test]
    public void Json_RoundTripsAsAString_AndRefusesInvalid()
    {
        var digest = Digest.Parse(EmptySha256);
        var options = new JsonSerializerOptions();
        options.Converters.Add(new DigestJsonConverter());
        var json = JsonSerializer.Serialize(digest, options);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(json, Is.EqualTo($"\"{EmptySha256}\""));
            Assert.That(JsonSerializer.Deserialize<Digest>(json, options), Is.EqualTo(digest));
            Assert.That(() => JsonSerializer.Deserialize<Digest>("\"sha256:nope\"", options), Throws.InstanceOf<JsonException>());
            Assert.That(() => JsonSerializer.Deserialize<Digest>("42", options), Throws.InstanceOf<JsonException>());
        }
    }
}
