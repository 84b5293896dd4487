using System.Diagnostics;
using Berth.Server.Storage;

namespace Berth.Server.Verification;

/// <summary>
/// <c>Berth.Server verify [--data-dir DIR]</c>: the verification from the command line, with the server stopped
/// (it takes the data folder's lock, so it refuses to run beside a server). Exit code 0 when all is well, 1 when
/// problems were found, 2 when the data folder cannot be used.
/// </summary>
public static class VerifyCommand
{
    public const string Name = "verify";
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        var layout = services.GetRequiredService<DataLayout>();
        await output.WriteLineAsync($"verifying {layout.Root}");
        var clock = Stopwatch.StartNew();
        var next = ProgressInterval;
        long files = 0, bytes = 0;
        var progress = new Progress(size =>
        {
            files++;
            bytes += size;
            if (clock.Elapsed >= next)
            {
                next = clock.Elapsed + ProgressInterval;
                output.WriteLine($"  hashed {files} files, {bytes / (1024 * 1024)} MiB ({bytes / (1024 * 1024) / Math.Max(clock.Elapsed.TotalSeconds, 0.001):F0} MiB/s)");
            }
        });

        var report = await services.GetRequiredService<ContentVerifier>().VerifyAsync(progress, cancellationToken);
        foreach (var problem in report.Problems)
        {
            await output.WriteLineAsync($"{problem.Kind}: {problem.Subject}: {problem.Detail}");
        }

        await output.WriteLineAsync(
            $"{report.ContentFiles} content files ({report.ContentBytes} bytes), {report.Units} units, {report.Tags} tags checked in {clock.Elapsed.TotalSeconds:F1} s: " +
            (report.Ok ? "no problems" : $"{report.Problems.Count} problems; restore the files named above from a backup, or push their content again"));
        return report.Ok ? 0 : 1;
    }

    /// <summary>Reports on the verifying thread itself: <see cref="Progress{T}"/> would post to the thread pool out of order.</summary>
    private sealed class Progress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
