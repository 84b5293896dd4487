using System.Runtime.CompilerServices;
using Berth.Server.Storage;
using Docker.Common.Digests;

namespace Berth.Server.Content;

/// <summary>
/// Content in the data directory's <c>content/</c> folder (see <see cref="DataLayout"/>). Bytes reach a content
/// path only by a rename of a complete, fsynced file, followed by an fsync of the folder, so after a crash a
/// content path holds either nothing or the whole content.
/// </summary>
public sealed class FileSystemContentStore(DataLayout layout) : IContentStore
{
    public Task<long?> SizeAsync(Digest digest, CancellationToken cancellationToken)
    {
        var file = new FileInfo(layout.ContentPath(digest));
        return Task.FromResult<long?>(file.Exists ? file.Length : null);
    }

    public Task<long> ImportFileAsync(Digest digest, string sourcePath, CancellationToken cancellationToken)
    {
        var target = layout.ContentPath(digest);
        if (File.Exists(target))
        {
            File.Delete(sourcePath);
            return Task.FromResult(new FileInfo(target).Length);
        }

        using (var handle = File.OpenHandle(sourcePath, FileMode.Open, FileAccess.ReadWrite))
        {
            NativeFiles.FlushToDisk(handle);
        }

        MoveIntoPlace(sourcePath, target);
        return Task.FromResult(new FileInfo(target).Length);
    }

    public async Task<long> CopyFileAsync(Digest digest, string sourcePath, CancellationToken cancellationToken)
    {
        if (new FileInfo(layout.ContentPath(digest)) is { Exists: true } stored)
        {
            return stored.Length;
        }

        var temporary = layout.NewTemporaryPath();
        try
        {
            File.Copy(sourcePath, temporary);
            return await ImportFileAsync(digest, temporary, cancellationToken);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public async Task<long> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var target = layout.ContentPath(digest);
        if (File.Exists(target))
        {
            return new FileInfo(target).Length;
        }

        var temporary = layout.NewTemporaryPath();
        try
        {
            using (var handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                await RandomAccess.WriteAsync(handle, content, 0, cancellationToken);
                NativeFiles.FlushToDisk(handle);
            }

            MoveIntoPlace(temporary, target);
        }
        finally
        {
            File.Delete(temporary);
        }

        return content.Length;
    }

    public Task<ContentRead?> OpenReadAsync(Digest digest, ByteRange? range, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(layout.ContentPath(digest), new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                BufferSize = 0,
                Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
            });
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<ContentRead?>(null);
        }

        if (range is not { } part)
        {
            return Task.FromResult<ContentRead?>(new ContentRead(stream, stream.Length));
        }

        stream.Position = part.Offset;
        return Task.FromResult<ContentRead?>(new ContentRead(stream, part.Length));
    }

    /// <summary>A folder has no address of its own: its content is always served through the server.</summary>
    public Uri? DirectUrl(Digest digest) => null;

    public Task<long> DeleteAsync(Digest digest, CancellationToken cancellationToken)
    {
        var file = new FileInfo(layout.ContentPath(digest));
        if (!file.Exists)
        {
            return Task.FromResult(0L);
        }

        var size = file.Length;
        file.Delete();
        return Task.FromResult(size);
    }

    /// <summary>A page per folder (content/ALG/HH/, each file's digest starting as the folder's name), then what lies elsewhere under content/.</summary>
    public async IAsyncEnumerable<IReadOnlyList<ContentEntry>> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Directory.Exists(layout.Content))
        {
            yield break;
        }

        var strays = new List<ContentEntry>();
        foreach (var algorithm in Directory.EnumerateDirectories(layout.Content))
        {
            foreach (var folder in Directory.EnumerateDirectories(algorithm))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = new List<ContentEntry>();
                foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
                {
                    var entry = Entry(file);
                    (entry.Digest is null ? strays : page).Add(entry);
                }

                if (page.Count > 0)
                {
                    yield return page;
                    await Task.Yield();
                }
            }

            strays.AddRange(Directory.EnumerateFiles(algorithm).Select(path => Entry(new FileInfo(path))));
        }

        strays.AddRange(Directory.EnumerateFiles(layout.Content).Select(path => Entry(new FileInfo(path))));
        if (strays.Count > 0)
        {
            yield return strays;
        }
    }

    public Task<ContentStoreProbe> ProbeAsync(CancellationToken cancellationToken)
    {
        var writable = Directory.Exists(layout.Content) && Directory.Exists(layout.Temporary) &&
                       !new DirectoryInfo(layout.Content).Attributes.HasFlag(FileAttributes.ReadOnly);
        long? free = null;
        try
        {
            free = new DriveInfo(layout.Root).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Free space is a courtesy; an odd mount must not break the answer.
        }

        return Task.FromResult(new ContentStoreProbe(writable, free, writable ? null : "the content folder is missing or read-only: check the data folder"));
    }

    private ContentEntry Entry(FileInfo file) =>
        new(Path.GetRelativePath(layout.Root, file.FullName), layout.DigestOfContentPath(file.FullName), file.Length, file.LastWriteTimeUtc);

    private static void MoveIntoPlace(string source, string target)
    {
        var folder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            NativeFiles.SyncDirectory(Path.GetDirectoryName(folder)!);
            NativeFiles.SyncDirectory(Path.GetDirectoryName(Path.GetDirectoryName(folder)!)!);
        }

        try
        {
            File.Move(source, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            // Another import stored the same content first: identical bytes, so ours is not needed.
            File.Delete(source);
            return;
        }

        NativeFiles.SyncDirectory(folder);
    }
}
