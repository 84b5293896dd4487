using System.Text.RegularExpressions;
using Docker.Common.References;

namespace Berth.Server.Registry;

/// <summary>The registry endpoints (OCI distribution spec, end-1 to end-13, and the catalog).</summary>
public enum RegistryEndpoint
{
    Base,
    Catalog,
    Manifest,
    BlobUploads,
    BlobUpload,
    Blob,
    TagsList,
    Referrers,
}

/// <summary>
/// A registry request's path taken apart. Names may hold slashes (<c>team/app</c>) and even the words the
/// endpoints use (<c>a/blobs/b</c>), so each endpoint is recognised by its suffix and the name is what precedes it.
/// </summary>
public sealed partial record RegistryRoute(RegistryEndpoint Endpoint, RegistryName Name, string? Argument)
{
    private static readonly (Regex Pattern, RegistryEndpoint Endpoint)[] Patterns =
    [
        (ManifestPath(), RegistryEndpoint.Manifest),
        (BlobUploadsPath(), RegistryEndpoint.BlobUploads),
        (BlobUploadPath(), RegistryEndpoint.BlobUpload),
        (BlobPath(), RegistryEndpoint.Blob),
        (TagsListPath(), RegistryEndpoint.TagsList),
        (ReferrersPath(), RegistryEndpoint.Referrers),
    ];

    /// <summary>The endpoint's path as the OCI distribution spec writes it: a metrics label that names no repository.</summary>
    public string Template => Endpoint switch
    {
        RegistryEndpoint.Base => "/v2/",
        RegistryEndpoint.Catalog => "/v2/_catalog",
        RegistryEndpoint.Manifest => "/v2/{name}/manifests/{reference}",
        RegistryEndpoint.BlobUploads => "/v2/{name}/blobs/uploads/",
        RegistryEndpoint.BlobUpload => "/v2/{name}/blobs/uploads/{reference}",
        RegistryEndpoint.Blob => "/v2/{name}/blobs/{digest}",
        RegistryEndpoint.TagsList => "/v2/{name}/tags/list",
        RegistryEndpoint.Referrers => "/v2/{name}/referrers/{digest}",
        _ => throw new InvalidOperationException($"no template for {Endpoint}"),
    };

    /// <summary>Parses the part of the path after <c>/v2/</c>; <see langword="null"/> when it is no endpoint.</summary>
    /// <exception cref="RegistryException">NAME_INVALID when the endpoint is known but the name breaks the grammar.</exception>
    public static RegistryRoute? Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            return new RegistryRoute(RegistryEndpoint.Base, default, null);
        }

        if (path is "_catalog")
        {
            return new RegistryRoute(RegistryEndpoint.Catalog, default, null);
        }

        foreach (var (pattern, endpoint) in Patterns)
        {
            var match = pattern.Match(path);
            if (!match.Success)
            {
                continue;
            }

            var nameText = match.Groups["name"].Value;
            if (!RegistryName.TryParse(nameText, out var name, out var problem))
            {
                throw new RegistryException(RegistryError.NameInvalid, problem, System.Text.Json.Nodes.JsonValue.Create(nameText));
            }

            return new RegistryRoute(endpoint, name, match.Groups["argument"].Success ? match.Groups["argument"].Value : null);
        }

        return null;
    }

    [GeneratedRegex(@"\A(?<name>.+)/manifests/(?<argument>[^/]+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex ManifestPath();

    [GeneratedRegex(@"\A(?<name>.+)/blobs/uploads/?\z", RegexOptions.CultureInvariant)]
    private static partial Regex BlobUploadsPath();

    [GeneratedRegex(@"\A(?<name>.+)/blobs/uploads/(?<argument>[^/]+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex BlobUploadPath();

    [GeneratedRegex(@"\A(?<name>.+)/blobs/(?<argument>[^/]+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex BlobPath();

    [GeneratedRegex(@"\A(?<name>.+)/tags/list/?\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagsListPath();

    [GeneratedRegex(@"\A(?<name>.+)/referrers/(?<argument>[^/]+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex ReferrersPath();
}
