using System.Formats.Tar;
using System.IO.Compression;

namespace Berth.Cli.Images;

/// <summary>
/// A tar archive (an <c>oci-archive</c>, a <c>docker save</c> tar; gzip-compressed or not) unpacked into a temporary
/// folder for as long as the upload needs it. Entries that would land outside the folder are refused.
/// </summary>
public sealed class ExtractedArchive : IDisposable
{
    private ExtractedArchive(string folder) => Folder = folder;

    public string Folder { get; }

    public static async Task<ExtractedArchive> ExtractAsync(string archive, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Path.GetTempPath(), "berth-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var extracted = new ExtractedArchive(folder);
        try
        {
            await using var file = File.OpenRead(archive);
            await using var content = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            await TarFile.ExtractToDirectoryAsync(content, folder, overwriteFiles: false, cancellationToken);
            return extracted;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException && e is not FileNotFoundException)
        {
            extracted.Dispose();
            throw CliException.Usage($"{archive} is not a tar archive this can read: {e.Message}");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        var gzip = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        return gzip;
    }
}
