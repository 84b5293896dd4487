using System.Text;
using Docker.Common.Distribution;
using Docker.Common.Manifests;
using NUnit.Framework;

namespace Berth.Tests.Fuzzing;

/// <summary>
/// Inputs the fuzzers (fuzz/run.sh) and the hostile-input suite found breaking a parser, kept as they were found.
/// Each one broke an invariant the fuzz target checks; each must now parse within it or be refused.
/// </summary>
public sealed class FuzzRegressionTests
{
    /// <summary>afl-fuzz, content-range target: a range over the whole of a long counted its length as negative.</summary>
    [TestCase("0-9223372036854775807")]
    [TestCase("bytes=0-09223372036854775807")]
    public void ContentRange_SpanningEveryLong_IsRefused(string text) =>
        Assert.That(ContentRange.TryParse(text, out _), Is.False);

    [TestCase("1-9223372036854775807", 9223372036854775807L)]
    [TestCase("0-9223372036854775806", 9223372036854775807L)]
    public void ContentRange_AsLongAsALongCanCount_IsAccepted(string text, long length)
    {
        Assert.That(ContentRange.TryParse(text, out var range), Is.True);
        Assert.That(range.Length, Is.EqualTo(length));
    }

    /// <summary>Hostile-input suite: invalid UTF-8 inside a string reached the reader and failed as a server error.</summary>
    [Test]
    public void Manifest_WithInvalidUtf8_IsInvalid()
    {
        byte[] document = [.. "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\""u8, 0xff, .. "\"}"u8];
        var error = Assert.Throws<ManifestInvalidException>(() => ManifestParser.Parse(document));
        Assert.That(string.Join(" ", error!.Problems), Does.Contain("UTF-8"));
    }

    [Test]
    public void Manifest_WithValidMultibyteText_StillParsesItsStrings()
    {
        var document = Encoding.UTF8.GetBytes("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"note":"größe ✓"}}""");
        Assert.That(ManifestParser.Parse(document), Is.Not.Null);
    }
}
