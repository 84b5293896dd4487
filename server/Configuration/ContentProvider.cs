namespace Berth.Server.Configuration;

/// <summary>The content stores a server can keep blobs and manifests in.</summary>
public enum ContentProvider
{
    /// <summary>The data folder's <c>content/</c>: one server, nothing else to run.</summary>
    FileSystem,

    /// <summary>A bucket of an S3-compatible object store (AWS S3, Ceph RGW, MinIO, ...), which several servers can share.</summary>
    S3,
}
