using System.Diagnostics;
using System.Text.Json.Nodes;
using Berth.Cli.Uploads;

namespace Berth.Cli.Sync;

/// <summary>
/// Follows a task until it ends, as Pulp 2's clients poll it: on a terminal one line redrawn in place with the sync's
/// progress, otherwise a line when it changed at most every few seconds (logs stay readable); with --quiet, nothing.
/// </summary>
public static class TaskWatcher
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    public static async Task<JsonNode> FollowAsync(Connection.BerthClient client, string taskId, Output output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(output);
        var terminal = !output.Quiet && ReferenceEquals(output.Standard, Console.Out) && !Console.IsOutputRedirected;
        var clock = Stopwatch.StartNew();
        var (last, lastAt, drawn) = ("", -PlainInterval, false);
        try
        {
            while (true)
            {
                var task = await client.GetAsync($"/tasks/{taskId}/", cancellationToken);
                var state = task["state"]!.GetValue<string>();
                var line = Describe(task);
                if (!output.Quiet && line != last && (terminal || clock.Elapsed - lastAt >= PlainInterval || state is not ("waiting" or "running")))
                {
                    if (terminal)
                    {
                        output.Standard.Write("\r" + line.PadRight(Math.Max(last.Length, line.Length)));
                        drawn = true;
                    }
                    else
                    {
                        output.Info(line);
                    }

                    (last, lastAt) = (line, clock.Elapsed);
                }

                if (state is not ("waiting" or "running"))
                {
                    return task;
                }

                await Task.Delay(Poll, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Error($"stopped following; the task goes on: berth task show {taskId}, or berth task cancel {taskId}");
            throw;
        }
        finally
        {
            if (drawn)
            {
                output.Standard.WriteLine();
            }
        }
    }

    /// <summary>Fails (exit 2, the server's reason) unless the task finished.</summary>
    public static void RequireFinished(JsonNode task)
    {
        ArgumentNullException.ThrowIfNull(task);
        switch (task["state"]!.GetValue<string>())
        {
            case "finished":
                return;
            case "canceled":
                throw new CliException(ExitCode.Refused, $"task {task["task_id"]} was cancelled; what it had completed stays");
            default:
                throw new CliException(
                    ExitCode.Refused,
                    $"task {task["task_id"]} failed: {task["error"]?["description"]?.GetValue<string>() ?? "no reason given"} ({task["error"]?["code"]?.GetValue<string>()})");
        }
    }

    /// <summary>One line on where a task is: its state and, for a sync, its step and counts.</summary>
    public static string Describe(JsonNode task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var state = task["state"]!.GetValue<string>();
        var progress = task["progress_report"]?.AsObject().Select(p => p.Value).FirstOrDefault();
        if (progress is null)
        {
            return state;
        }

        var tags = progress["tags"];
        var blobs = progress["blobs"];
        return $"{state}: {progress["step"]}; tags {tags?["done"]}/{tags?["total"]} ({tags?["skipped"]} unchanged), " +
               $"manifests {progress["manifests"]?["done"]}, blobs {blobs?["done"]} ({blobs?["skipped"]} already here), " +
               $"{TransferProgress.Size(progress["bytes"]?.GetValue<long>() ?? 0)} at {TransferProgress.Size(progress["bytes_per_second"]?.GetValue<long>() ?? 0)}/s";
    }
}
