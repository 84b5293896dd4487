namespace Docker.Common;

/// <summary>The ids of the docker unit types and importers, and the names of their key and metadata fields.</summary>
public static class DockerUnitTypes
{
    /// <summary>A blob: a layer or a config, identified by its digest.</summary>
    public const string Blob = "docker_blob";

    /// <summary>An image manifest (Docker schema2 or OCI), identified by its digest.</summary>
    public const string Manifest = "docker_manifest";

    /// <summary>A manifest list or OCI image index, identified by its digest.</summary>
    public const string ManifestList = "docker_manifest_list";

    /// <summary>A tag: a name in one repository pointing at a manifest or list.</summary>
    public const string Tag = "docker_tag";

    /// <summary>The importer of blobs.</summary>
    public const string BlobImporter = "docker_blob_importer";

    /// <summary>The importer of manifests, manifest lists and tags.</summary>
    public const string ManifestImporter = "docker_manifest_importer";

    /// <summary>
    /// What a tag's <c>manifest_type</c> says it points at, in pulp_docker's words: <c>image</c> or <c>list</c>. Tags
    /// stored before Berth spoke them recorded the unit type id there, which is still read.
    /// </summary>
    public static class ManifestKinds
    {
        public const string Image = "image";
        public const string List = "list";

        /// <summary>The kind of a manifest unit type: <see cref="List"/> for <see cref="ManifestList"/>, else <see cref="Image"/>.</summary>
        public static string Of(string unitTypeId) => unitTypeId == ManifestList ? List : Image;

        /// <summary>The manifest unit type a tag's <c>manifest_type</c> names; <see langword="null"/> when it names none.</summary>
        public static string? UnitTypeOf(string? kind) => kind switch
        {
            Image or Manifest => Manifest,
            List or ManifestList => ManifestList,
            _ => null,
        };
    }

    /// <summary>Unit key and metadata field names.</summary>
    public static class Fields
    {
        public const string Digest = "digest";
        public const string Size = "size";
        public const string Name = "name";
        public const string RepositoryId = "repo_id";
        public const string ManifestDigest = "manifest_digest";
        public const string ManifestType = "manifest_type";
        public const string MediaType = "media_type";
        public const string SchemaVersion = "schema_version";
        public const string ArtifactType = "artifact_type";
        public const string Config = "config";
        public const string Layers = "layers";
        public const string Manifests = "manifests";
        public const string Subject = "subject";
        public const string SubjectMediaType = "subject_media_type";
        public const string Annotations = "annotations";
        public const string Platform = "platform";
        public const string Urls = "urls";
        public const string Tag = "tag";
    }
}
