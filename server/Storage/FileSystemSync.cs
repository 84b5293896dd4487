using System.Runtime.InteropServices;

namespace Berth.Server.Storage;

/// <summary>
/// Makes a rename durable: on Linux a new directory entry survives a crash only once its folder is fsynced,
/// which .NET has no API for.
/// </summary>
internal static partial class FileSystemSync
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000;

    public static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return;
        }

        var descriptor = Open(path, ReadOnly | (OperatingSystem.IsLinux() ? Directory : 0));
        if (descriptor < 0)
        {
            throw new IOException($"cannot open folder {path} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"cannot sync folder {path} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
