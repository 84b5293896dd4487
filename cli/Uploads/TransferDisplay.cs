using Spectre.Console;

namespace Berth.Cli.Uploads;

/// <summary>
/// How a transfer of many blobs shows its progress: on a terminal, one bar per blob in flight and one overall
/// (Spectre.Console: bytes, rate, time left); otherwise the overall line of <see cref="TransferProgress"/> every few
/// seconds; with --quiet, nothing. Either way a closing line says what was moved in how long.
/// </summary>
public abstract class TransferDisplay
{
    public static TransferDisplay For(Output output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return !output.Quiet && ReferenceEquals(output.Standard, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive
            ? new Bars(output)
            : new Lines(output);
    }

    /// <summary>
    /// Runs the work of moving <paramref name="blobs"/> blobs, which asks for a progress per blob (disposed when that
    /// blob is done). With no blob to move there is nothing to show, not even a closing line.
    /// </summary>
    public Task RunAsync(int blobs, long totalBytes, Func<Func<string, long, BlobProgress>, Task> work) =>
        blobs == 0 ? Task.CompletedTask : ShowAsync(Quantity.Of(blobs, "blob"), totalBytes, work);

    protected abstract Task ShowAsync(string label, long totalBytes, Func<Func<string, long, BlobProgress>, Task> work);

    /// <summary>The progress of one blob, reported in bytes.</summary>
    public sealed class BlobProgress(Action<long> report, Action done) : IProgress<long>, IDisposable
    {
        public void Report(long value) => report(value);

        public void Dispose() => done();
    }

    private sealed class Lines(Output output) : TransferDisplay
    {
        protected override async Task ShowAsync(string label, long totalBytes, Func<Func<string, long, BlobProgress>, Task> work)
        {
            using var overall = TransferProgress.Start(output, label, totalBytes);
            await work((_, _) => new BlobProgress(overall.Report, () => { }));
            overall.Done();
        }
    }

    private sealed class Bars(Output output) : TransferDisplay
    {
        protected override async Task ShowAsync(string label, long totalBytes, Func<Func<string, long, BlobProgress>, Task> work)
        {
            var started = DateTime.UtcNow;
            await AnsiConsole.Progress()
                .AutoClear(true)
                .HideCompleted(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var overall = context.AddTask($"[bold]{Markup.Escape(label)}[/]", maxValue: Math.Max(totalBytes, 1));
                    await work((blob, size) =>
                    {
                        var task = context.AddTask(Markup.Escape(blob), maxValue: Math.Max(size, 1));
                        return new BlobProgress(
                            bytes =>
                            {
                                task.Increment(bytes);
                                overall.Increment(bytes);
                            },
                            () =>
                            {
                                task.Value = task.MaxValue;
                                task.StopTask();
                                task.IsIndeterminate = false;
                            });
                    });
                    overall.Value = overall.MaxValue;
                });
            var seconds = Math.Max((DateTime.UtcNow - started).TotalSeconds, 0.001);
            output.Info($"{label}: {TransferProgress.Size(totalBytes)} in {seconds:F1} s ({TransferProgress.Size((long)(totalBytes / seconds))}/s)");
        }
    }
}
