using Docker.Common;
using Docker.Common.Manifests;
using NUnit.Framework;

namespace Berth.Tests.Manifests;

/// <summary>The top-level read a registry push is routed by, before the importer parses the document in full.</summary>
public sealed class ManifestShapeTests
{
    [TestCase("""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"x/y"},"layers":[]}""", MediaTypes.DockerManifest, false)]
    [TestCase("""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}""", MediaTypes.DockerManifestList, true)]
    [TestCase("""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json"}]}""", MediaTypes.OciIndex, true)]
    [TestCase("""{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.index.v1+json"},"layers":[]}""", MediaTypes.OciManifest, false)]
    [TestCase("""{"annotations":{"mediaType":"application/vnd.oci.image.index.v1+json"},"mediaType":"application\u002Fvnd.oci.image.manifest.v1\u002Bjson"}""", MediaTypes.OciManifest, false)]
    public void Read_TakesTheTopLevelOnly(string document, string effective, bool isIndex)
    {
        var shape = ManifestShape.Read(System.Text.Encoding.UTF8.GetBytes(document));

        Assert.That(shape, Is.Not.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(shape!.EffectiveMediaType, Is.EqualTo(effective));
            Assert.That(shape.IsIndex, Is.EqualTo(isIndex));
        }
    }

    [Test]
    public void Read_AMediaTypeTooLongToBeOne_IsNotRead()
    {
        var shape = ManifestShape.Read(System.Text.Encoding.UTF8.GetBytes($$"""{"mediaType":"{{new string('m', 40_000)}}","manifests":[]}"""));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(shape!.MediaType, Is.Null);
            Assert.That(shape.EffectiveMediaType, Is.Empty);
            Assert.That(shape.IsIndex, Is.False);
        }
    }

    [TestCase("")]
    [TestCase("[]")]
    [TestCase("{")]
    [TestCase("{\"mediaType\":")]
    [TestCase("{/* c */}")]
    public void Read_NotAJsonObject_IsNull(string document) =>
        Assert.That(ManifestShape.Read(System.Text.Encoding.UTF8.GetBytes(document)), Is.Null);
}
