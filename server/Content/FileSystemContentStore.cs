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

    public Stream? OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(layout.ContentPath(digest), new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                BufferSize = 0,
                Options = FileOptions.SequentialScan,
            });
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public string? LocalPath(Digest digest)
    {
        var path = layout.ContentPath(digest);
        return File.Exists(path) ? path : null;
    }

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

    public IEnumerable<(string Prefix, IReadOnlyList<(Digest Digest, DateTimeOffset Stored)> Files)> ListByPrefix()
    {
        if (!Directory.Exists(layout.Content))
        {
            yield break;
        }

        // content/ALG/HH/: one group per folder.
        foreach (var folder in Directory.EnumerateDirectories(layout.Content).SelectMany(Directory.EnumerateDirectories))
        {
            var files = Directory.EnumerateFiles(folder)
                .Select(path => (Digest: layout.DigestOfContentPath(path), Stored: (DateTimeOffset)File.GetLastWriteTimeUtc(path)))
                .Where(f => f.Digest is not null)
                .Select(f => (f.Digest!.Value, f.Stored))
                .ToList();
            if (files.Count > 0)
            {
                yield return ($"{Path.GetFileName(Path.GetDirectoryName(folder))}:{Path.GetFileName(folder)}", files);
            }
        }
    }

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
