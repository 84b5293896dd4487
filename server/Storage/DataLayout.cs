using Berth.Server.Content;
using Docker.Common.Digests;

namespace Berth.Server.Storage;

/// <summary>
/// The on-disk layout of the data directory, written down here and only here:
/// <code>
/// DATA/berth.db, berth-log.db       metadata (LiteDB, and its write-ahead log): repositories, importers, units,
///                                   associations, upload requests, users and tokens, tag history
/// DATA/content/ALG/HH/HEX           content-addressed bytes (blobs and manifests), HH = first two hex digits
/// DATA/uploads/ID                   bytes of upload request ID, as received so far
/// DATA/tmp/                         files being written; emptied at every start
/// DATA/berth.lock                   held while a server uses the folder, so that a second one refuses to start
/// DATA/token-signing-key.pem        the registry tokens' ES256 signing key, created on first start (mode 0600)
/// DATA/admin-password               the first administrator's password, when it was generated (mode 0600)
/// </code>
/// Everything is on one file system, so moving a verified upload or temporary file into content is a rename.
/// The folder is its user's only (0700), and so is everything the server creates in it (0600 and 0700).
/// </summary>
public sealed class DataLayout : IDisposable
{
    private FileStream? _lock;

    public DataLayout(string root)
    {
        Root = Path.GetFullPath(root);
        Database = Path.Combine(Root, "berth.db");
        Content = Path.Combine(Root, "content");
        Uploads = Path.Combine(Root, "uploads");
        Temporary = Path.Combine(Root, "tmp");
        TokenSigningKey = Path.Combine(Root, "token-signing-key.pem");
        AdminPassword = Path.Combine(Root, "admin-password");
    }

    public string Root { get; }

    public string Database { get; }

    public string Content { get; }

    public string Uploads { get; }

    public string Temporary { get; }

    public string TokenSigningKey { get; }

    public string AdminPassword { get; }

    public string ContentPath(Digest digest) => Path.Combine([Content, .. ContentAddress.Parts(digest)]);

    /// <summary>The digest a file under <see cref="Content"/> is named by, or <see langword="null"/> for a file that has no business there.</summary>
    public Digest? DigestOfContentPath(string path) => ContentAddress.Parse(Path.GetRelativePath(Content, path).Split(Path.DirectorySeparatorChar));

    public string UploadPath(string uploadId) => Path.Combine(Uploads, uploadId);

    public string NewTemporaryPath() => Path.Combine(Temporary, Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Takes the folder for this server, creates what is missing and removes what a previous run left
    /// half-written. Two servers on one folder would corrupt it: the second one is refused.
    /// </summary>
    public void Prepare()
    {
        Directory.CreateDirectory(Root);
        MakePrivate();
        var lockPath = Path.Combine(Root, "berth.lock");
        try
        {
            // FileShare.None takes an exclusive advisory lock that another .NET process honours.
            _lock = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new DataFolderInUseException(Root, lockPath, e);
        }

        Directory.CreateDirectory(Content);
        Directory.CreateDirectory(Uploads);
        if (Directory.Exists(Temporary))
        {
            Directory.Delete(Temporary, recursive: true);
        }

        Directory.CreateDirectory(Temporary);
    }

    /// <summary>
    /// Why the data folder could not be made private to the server's user (it belongs to another, say), or
    /// <see langword="null"/> when it is: 0700, so that nothing in it, even a file an older version left readable
    /// by others, can be reached by anyone else.
    /// </summary>
    public string? NotPrivate { get; private set; }

    public void Dispose() => _lock?.Dispose();

    private void MakePrivate()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            NotPrivate = e.Message;
        }
    }
}
