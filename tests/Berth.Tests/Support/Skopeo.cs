using System.Diagnostics;
using NUnit.Framework;

namespace Berth.Tests.Support;

/// <summary>
/// Debian's skopeo, driven as an operator would. Missing skopeo makes a test inconclusive with the command that
/// installs it, except under CI (<c>CI=true</c>), where it is a failure: CI must really run the client.
/// </summary>
public static class Skopeo
{
    public const string InstallCommand = "sudo apt-get install -y skopeo";

    public static void Require()
    {
        if (IsInstalled())
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"skopeo is required under CI and is not installed; .ci/run should install it ({InstallCommand})");
        }

        Assert.Ignore($"skopeo is not installed; install it to run the real-client tests: {InstallCommand}");
    }

    /// <summary>Runs skopeo with the arguments; fails the test with its output when it does not succeed.</summary>
    public static async Task<string> RunAsync(params string[] arguments)
    {
        var (exitCode, output) = await TryRunAsync(arguments);
        Assert.That(exitCode, Is.Zero, $"skopeo {string.Join(' ', arguments)} failed:\n{output}");
        return output;
    }

    public static async Task<(int ExitCode, string Output)> TryRunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("skopeo") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static bool IsInstalled()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("skopeo", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            process.WaitForExit(30_000);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
