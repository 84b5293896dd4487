using System.Text.Json.Nodes;
using Berth.Plugins;
using Docker.Common;

namespace Berth.Server.Units;

/// <summary>What a manifest or list unit refers to, read from the metadata the manifest importer records.</summary>
public static class UnitReferences
{
    /// <summary>The digests a manifest (config, layers) or list (manifests) needs; none for other units.</summary>
    public static HashSet<string> Needs(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var references = new HashSet<string>(StringComparer.Ordinal);
        if (unit.TypeId is not (DockerUnitTypes.Manifest or DockerUnitTypes.ManifestList))
        {
            return references;
        }

        var descriptors = new[] { unit.Metadata[DockerUnitTypes.Fields.Config] }
            .Concat(unit.Metadata[DockerUnitTypes.Fields.Layers] as JsonArray ?? [])
            .Concat(unit.Metadata[DockerUnitTypes.Fields.Manifests] as JsonArray ?? []);
        foreach (var descriptor in descriptors.OfType<JsonObject>())
        {
            if (descriptor[DockerUnitTypes.Fields.Digest]?.GetValue<string>() is { } digest)
            {
                references.Add(digest);
            }
        }

        return references;
    }

    /// <summary>The manifest a referrer (signature, SBOM) is about, if it names one.</summary>
    public static string? Subject(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return unit.Metadata[DockerUnitTypes.Fields.Subject]?.GetValue<string>();
    }

    /// <summary>The manifest digest a tag unit points at.</summary>
    public static string? TagTarget(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return unit.Metadata[DockerUnitTypes.Fields.ManifestDigest]?.GetValue<string>();
    }
}
