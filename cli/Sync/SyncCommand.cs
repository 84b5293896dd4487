using System.CommandLine;
using System.Text.Json.Nodes;
using Berth.Cli.Repositories;

namespace Berth.Cli.Sync;

/// <summary><c>berth sync REPO [--wait]</c>: starts a repository's sync (a task on the server) and, with --wait, follows it.</summary>
public static class SyncCommand
{
    public static Command Create()
    {
        var repo = RepositoryReference.Argument();
        var wait = new Option<bool>("--wait") { Description = "Follow the sync to its end, showing its progress; exit 2 when it fails or is cancelled" };
        var command = new Command("sync", "Sync a repository from its upstream (berth remote set); one sync per repository runs at a time") { repo, wait };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            var report = await client.PostAsync($"/repositories/{Uri.EscapeDataString(repository.Id)}/actions/sync/", new JsonObject(), cancellationToken);
            var taskId = report["spawned_tasks"]![0]!["task_id"]!.GetValue<string>();
            if (!parse.GetValue(wait))
            {
                output.Result(taskId);
                output.Info($"follow it: berth task show {taskId} (or berth sync {repository.Id} --wait)");
                return;
            }

            var task = await TaskWatcher.FollowAsync(client, taskId, output, cancellationToken);
            TaskWatcher.RequireFinished(task);
            var result = task["result"]!;
            output.Info(
                $"synced {repository.Id}: {Quantity.Of(result["tags_added"]!.AsArray().Count, "tag")} added, {result["tags_moved"]!.AsArray().Count} moved, " +
                $"{result["tags_unchanged"]} unchanged; {Quantity.Of(result["manifests_added"]!.GetValue<long>(), "manifest")} and " +
                $"{Quantity.Of(result["blobs_downloaded"]!.GetValue<long>(), "blob")} downloaded ({Uploads.TransferProgress.Size(result["bytes_downloaded"]!.GetValue<long>())}), " +
                $"{result["blobs_present"]} already here");
            foreach (var missing in result["tags_missing"]!.AsArray())
            {
                output.Error($"warning: upstream has no tag {missing}");
            }
        });
        return command;
    }
}
