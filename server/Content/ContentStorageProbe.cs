using Berth.Server.Status;
using Berth.Server.Storage;

namespace Berth.Server.Content;

/// <summary>Whether the content folder can take content, and how much room is left: for the status page and readiness.</summary>
public static class ContentStorageProbe
{
    public static ContentStorageState Probe(DataLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
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

        return new ContentStorageState(writable, free);
    }
}
