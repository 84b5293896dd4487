namespace Berth.Cli.Images;

/// <summary>
/// The <c>version</c> file that marks a skopeo <c>dir:</c> folder. skopeo writes it first and, finding it in a folder
/// it is asked to write to, empties the folder; finding a folder with other things and no such file, it refuses.
/// </summary>
public static class SkopeoDirVersion
{
    public const string FileName = "version";

    /// <summary>What berth writes: the directory transport's current version.</summary>
    public const string Current = "Directory Transport Version: 1.1\n";

    private const string Prefix = "Directory Transport Version";

    public static bool IsIn(string folder)
    {
        var path = Path.Combine(folder, FileName);
        return File.Exists(path) && File.ReadAllText(path).StartsWith(Prefix, StringComparison.Ordinal);
    }
}
