using System.Diagnostics;

namespace Berth.Tests.Support;

/// <summary>
/// Runs the berth CLI as users do, its own process (<c>dotnet berth.dll</c>), with a config folder of its own so
/// that berth login never touches the real user's.
/// </summary>
public sealed class CliRunner(string configHome)
{
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public string ConfigHome { get; } = configHome;

    public async Task<CliResult> RunAsync(string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "berth.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["XDG_CONFIG_HOME"] = ConfigHome;
        foreach (var name in new[] { "BERTH_SERVER", "BERTH_USERNAME", "BERTH_PASSWORD" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }
}
