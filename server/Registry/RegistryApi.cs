using Docker.Common.Digests;
using Docker.Common.References;

namespace Berth.Server.Registry;

/// <summary>The registry API's root, its header names, and the addresses it hands out in <c>Location</c>.</summary>
public static class RegistryApi
{
    public const string Root = "/v2";
    public const string ApiVersionHeader = "Docker-Distribution-API-Version";
    public const string ApiVersion = "registry/2.0";
    public const string ContentDigestHeader = "Docker-Content-Digest";
    public const string UploadUuidHeader = "Docker-Upload-UUID";
    public const string SubjectHeader = "OCI-Subject";
    public const string FiltersAppliedHeader = "OCI-Filters-Applied";

    /// <summary>Whether a path is the registry's: under <c>/v2</c>, or its token endpoint.</summary>
    public static bool Owns(PathString path) =>
        path.StartsWithSegments(Root, StringComparison.Ordinal) || path.StartsWithSegments(Access.TokenChallenge.TokenPath, StringComparison.Ordinal);

    public static string BlobLocation(RegistryName name, Digest digest) => $"{Root}/{name}/blobs/{digest}";

    public static string UploadLocation(RegistryName name, Uploads.UploadId uploadId) => $"{Root}/{name}/blobs/uploads/{uploadId}";

    public static string ManifestLocation(RegistryName name, Digest digest) => $"{Root}/{name}/manifests/{digest}";

    /// <summary>The <c>Range</c> header of an upload holding <paramref name="size"/> bytes: the inclusive range received.</summary>
    public static string UploadRange(long size) => size == 0 ? "0-0" : $"0-{size - 1}";
}
