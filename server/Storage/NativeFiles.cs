using System.Diagnostics;
using System.Runtime.InteropServices;
using Berth.Server.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Berth.Server.Storage;

/// <summary>
/// File operations .NET has no API for, on Linux: syncing a folder (a renamed file survives a crash only once
/// its folder is synced), starting write-back early, writing around the page cache (O_DIRECT), the mode new files
/// get (umask) and how many the process may open (RLIMIT_NOFILE). Elsewhere each degrades to what .NET offers.
/// </summary>
internal static partial class NativeFiles
{
    /// <summary>The alignment O_DIRECT asks of positions, lengths and memory: a page, a multiple of any sector.</summary>
    public const int DirectAlignment = 4096;

    private const int ReadOnly = 0;
    private const int WriteOnly = 1;
    private const int LinuxDirectory = 0x10000;
    private const int LinuxDirect = 0x4000;
    private const uint SyncFileRangeWrite = 2;
    private const uint PrivateMask = 0x3F; // 077: nothing for group or others
    private const int LinuxRlimitNoFile = 7;
    private const int MacRlimitNoFile = 8;

    /// <summary>Flushes a file's data to disk (fsync), timed as <see cref="ServerMetrics.FileSync"/>.</summary>
    public static void FlushToDisk(SafeFileHandle file)
    {
        var started = Stopwatch.GetTimestamp();
        RandomAccess.FlushToDisk(file);
        ServerMetrics.FileSync.RecordSince(started);
    }

    public static void SyncDirectory(string path)
    {
        if (CanSyncByPath)
        {
            SyncPath(path, ReadOnly | (OperatingSystem.IsLinux() ? LinuxDirectory : 0), "folder");
        }
    }

    /// <summary>Whether <see cref="SyncFile"/> works here (Linux, macOS, FreeBSD).</summary>
    public static bool CanSyncByPath => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>
    /// Flushes a file that another part of the process writes through a handle of its own (fsync flushes the file, not
    /// a handle): opened read-only, which takes none of the locks .NET emulates for its own handles.
    /// </summary>
    public static void SyncFile(string path)
    {
        if (!CanSyncByPath)
        {
            throw new PlatformNotSupportedException("syncing a file by its path needs Linux, macOS or FreeBSD");
        }

        SyncPath(path, ReadOnly, "file");
    }

    private static void SyncPath(string path, int flags, string what)
    {
        var started = Stopwatch.GetTimestamp();
        var descriptor = Open(path, flags, 0);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open {what} {path} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"cannot sync {what} {path} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(descriptor);
            ServerMetrics.FileSync.RecordSince(started);
        }
    }

    /// <summary>
    /// Opens an existing file a second time for writes that bypass the page cache, or returns null where that is
    /// not possible (not Linux, or a file system without O_DIRECT, such as tmpfs).
    /// </summary>
    public static SafeFileHandle? TryOpenDirect(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var descriptor = Open(path, WriteOnly | LinuxDirect, 0);
        return descriptor < 0 ? null : new SafeFileHandle(descriptor, ownsHandle: true);
    }

    /// <summary>
    /// Asks the kernel to start writing a range of a file to disk without waiting for it, so that the fsync that
    /// acknowledges a large write finds little left to do. A hint: on failure, or off Linux, it does nothing.
    /// </summary>
    public static void StartWriteBack(SafeFileHandle file, long offset, long length)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            _ = SyncFileRange((int)file.DangerousGetHandle(), offset, length, SyncFileRangeWrite);
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Makes every file and folder the process creates from now on private to its user (umask 077: 0600 and 0700),
    /// whatever umask it was started with: the data folder holds password and token hashes.
    /// </summary>
    public static void CreatePrivateFiles()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            _ = Umask(PrivateMask);
        }
    }

    /// <summary>
    /// How many files (sockets included) the process may have open at once: its soft RLIMIT_NOFILE, which the .NET
    /// runtime raises to the hard limit as it starts. <see langword="null"/> where unknown or unlimited.
    /// </summary>
    public static long? DescriptorLimit()
    {
        var resource = OperatingSystem.IsLinux() ? LinuxRlimitNoFile : OperatingSystem.IsMacOS() ? MacRlimitNoFile : -1;
        if (resource < 0 || !Environment.Is64BitProcess || GetResourceLimit(resource, out var limit) != 0 || limit.Current > long.MaxValue)
        {
            return null;
        }

        return (long)limit.Current;
    }

    /// <summary><c>struct rlimit</c> of a 64-bit process: two <c>rlim_t</c>, unsigned 64-bit; infinity is all ones.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetResourceLimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int descriptor, long offset, long length, uint flags);
}
