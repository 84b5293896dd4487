using Docker.Common.Digests;

namespace Berth.Server.Storage;

/// <summary>
/// The on-disk layout of the data directory, written down here and only here:
/// <code>
/// DATA/berth.db                     metadata (LiteDB): repositories, importers, units, associations, uploads
/// DATA/content/ALG/HH/HEX           content-addressed bytes (blobs and manifests), HH = first two hex digits
/// DATA/uploads/ID                   bytes of upload request ID, as received so far
/// DATA/tmp/                         files being written; emptied at every start
/// </code>
/// Everything is on one file system, so moving a verified upload or temporary file into content is a rename.
/// </summary>
public sealed class DataLayout
{
    public DataLayout(string root)
    {
        Root = Path.GetFullPath(root);
        Database = Path.Combine(Root, "berth.db");
        Content = Path.Combine(Root, "content");
        Uploads = Path.Combine(Root, "uploads");
        Temporary = Path.Combine(Root, "tmp");
    }

    public string Root { get; }

    public string Database { get; }

    public string Content { get; }

    public string Uploads { get; }

    public string Temporary { get; }

    public string ContentPath(Digest digest) =>
        Path.Combine(Content, digest.Algorithm.Name, digest.Encoded[..2], digest.Encoded);

    public string UploadPath(string uploadId) => Path.Combine(Uploads, uploadId);

    public string NewTemporaryPath() => Path.Combine(Temporary, Guid.NewGuid().ToString("N"));

    /// <summary>Creates the folders and removes what a previous run left half-written.</summary>
    public void Prepare()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Content);
        Directory.CreateDirectory(Uploads);
        if (Directory.Exists(Temporary))
        {
            Directory.Delete(Temporary, recursive: true);
        }

        Directory.CreateDirectory(Temporary);
    }
}
