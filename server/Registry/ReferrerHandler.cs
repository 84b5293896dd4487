using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.Manifests;
using Docker.Common.References;

namespace Berth.Server.Registry;

/// <summary>
/// The referrers of a manifest (end-12a/12b): an OCI index of the manifests in the repository whose subject
/// it is, filtered by <c>artifactType</c> when asked. An unknown subject has an empty index, never a 404.
/// </summary>
public sealed class ReferrerHandler(RegistryRepositories registry, RepositoryContent content)
{
    public async Task<IResult> ListAsync(HttpContext context, RegistryName name, string reference)
    {
        if (!Digest.TryParse(reference, out var subject, out var problem))
        {
            throw new RegistryException(RegistryError.DigestInvalid, problem, JsonValue.Create(reference));
        }

        var repository = await registry.ForPullAsync(context, name);
        var referrers = (await content.ReferrersOfAsync(repository, subject, context.RequestAborted)).Select(Describe);
        var artifactType = context.Request.Query["artifactType"].ToString();
        if (artifactType.Length > 0)
        {
            referrers = referrers.Where(r => r.ArtifactType == artifactType);
            context.Response.Headers[RegistryApi.FiltersAppliedHeader] = "artifactType";
        }

        var index = new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = [.. referrers] };
        return Results.Bytes(JsonSerializer.SerializeToUtf8Bytes(index, DockerJsonContext.Default.ImageIndex), MediaTypes.OciIndex);
    }

    /// <summary>A referrer's descriptor.</summary>
    private static Descriptor Describe(Unit manifest)
    {
        var metadata = manifest.Metadata;
        var annotations = metadata[DockerUnitTypes.Fields.Annotations] as JsonObject;
        return new Descriptor
        {
            MediaType = metadata[DockerUnitTypes.Fields.MediaType]!.GetValue<string>(),
            Digest = Digest.Parse(manifest.ContentDigest!),
            Size = metadata[DockerUnitTypes.Fields.Size]!.GetValue<long>(),
            ArtifactType = RepositoryContent.ArtifactTypeOf(manifest),
            Annotations = annotations?.ToDictionary(a => a.Key, a => a.Value!.GetValue<string>()),
        };
    }
}
