using Docker.Common;
using NUnit.Framework;

namespace Berth.Tests.Manifests;

/// <summary>
/// A tag's <c>manifest_type</c> in pulp_docker's words (<c>image</c>, <c>list</c>), and in the unit type ids tags stored
/// before recorded there: both lead to the manifest unit type the tag points at.
/// </summary>
public sealed class ManifestKindsTests
{
    [TestCase("image", DockerUnitTypes.Manifest)]
    [TestCase("list", DockerUnitTypes.ManifestList)]
    [TestCase(DockerUnitTypes.Manifest, DockerUnitTypes.Manifest)]
    [TestCase(DockerUnitTypes.ManifestList, DockerUnitTypes.ManifestList)]
    [TestCase("List", null)]
    [TestCase("docker_blob", null)]
    [TestCase(null, null)]
    public void AKind_LeadsToItsUnitType(string? kind, string? unitType) =>
        Assert.That(DockerUnitTypes.ManifestKinds.UnitTypeOf(kind), Is.EqualTo(unitType));

    [Test]
    public void AUnitType_HasItsKind_AndBack()
    {
        foreach (var type in new[] { DockerUnitTypes.Manifest, DockerUnitTypes.ManifestList })
        {
            Assert.That(DockerUnitTypes.ManifestKinds.UnitTypeOf(DockerUnitTypes.ManifestKinds.Of(type)), Is.EqualTo(type));
        }

        Assert.That(DockerUnitTypes.ManifestKinds.Of(DockerUnitTypes.ManifestList), Is.EqualTo("list"));
    }
}
