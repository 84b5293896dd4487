using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Cli.Connection;

/// <summary>
/// What <c>berth login</c> keeps: the server and credentials, in <c>$XDG_CONFIG_HOME/berth/login.json</c> (by default
/// <c>~/.config/berth/login.json</c>), readable by its owner only.
/// </summary>
public sealed record LoginFile(
    [property: JsonPropertyName("server")] string Server,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("password")] string Password)
{
    public static string Path
    {
        get
        {
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg
                : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return System.IO.Path.Combine(config, "berth", "login.json");
        }
    }

    public static LoginFile? Read()
    {
        if (!File.Exists(Path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(Path), CliJsonContext.Files.LoginFile);
        }
        catch (JsonException e)
        {
            throw CliException.Usage($"{Path} is not a login file ({e.Message}): run berth login again, or delete it");
        }
    }

    /// <summary>Writes the file with mode 0600 from its creation on, so that the password is never readable by others.</summary>
    public void Write()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, this, CliJsonContext.Files.LoginFile);
        }

        File.Move(temporary, Path, overwrite: true);
    }

    public static bool Delete()
    {
        var existed = File.Exists(Path);
        File.Delete(Path);
        return existed;
    }
}
