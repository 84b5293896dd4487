using System.CommandLine;
using System.Text.Json.Nodes;
using Berth.Cli.Repositories;

namespace Berth.Cli.Sync;

/// <summary><c>berth task list|show|cancel</c>: the server's tasks (syncs).</summary>
public static class TaskCommands
{
    public static Command Create()
    {
        var command = new Command("task", "The server's tasks (syncs): list them, show one, cancel one");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Cancel());
        return command;
    }

    private static Argument<string> TaskId() => new("task") { Description = "The task id (berth task list shows them)" };

    private static Command List()
    {
        var repo = new Option<string?>("--repo", "-r") { Description = RepositoryReference.Description };
        var state = new Option<string?>("--state") { Description = "Only tasks in these states (waiting, running, finished, error, canceled; comma-separated)" };
        var command = new Command("list", "List tasks, newest first") { repo, state };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var query = new List<string>();
            if (parse.GetValue(repo) is { } named)
            {
                query.Add("repository=" + Uri.EscapeDataString((await RepositoryFinder.FindAsync(client, named, cancellationToken)).Id));
            }

            if (parse.GetValue(state) is { } states)
            {
                query.Add("state=" + Uri.EscapeDataString(states));
            }

            var tasks = (await client.GetAsync($"/tasks/{(query.Count > 0 ? "?" + string.Join('&', query) : "")}", cancellationToken)).AsArray();
            output.Table(
                ["TASK", "REPOSITORY", "ACTION", "STATE", "STARTED", "FINISHED"],
                tasks.Select(t => (IReadOnlyList<string>)[
                    t!["task_id"]!.GetValue<string>(),
                    Tag(t, "pulp:repository:"),
                    Tag(t, "pulp:action:"),
                    t["state"]!.GetValue<string>(),
                    t["start_time"]?.GetValue<string>() ?? "",
                    t["finish_time"]?.GetValue<string>() ?? ""]));
            output.Info(Quantity.Of(tasks.Count, "task"));
        });
        return command;
    }

    private static Command Show()
    {
        var id = TaskId();
        var follow = new Option<bool>("--follow") { Description = "Follow the task to its end; exit 2 when it fails or is cancelled" };
        var command = new Command("show", "Show a task: its state, progress, result or error") { id, follow };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var task = parse.GetValue(follow)
                ? await TaskWatcher.FollowAsync(client, parse.GetValue(id)!, output, cancellationToken)
                : await client.GetAsync(Path(parse.GetValue(id)!), cancellationToken);
            output.Result(task.ToJsonString(CliJson.Indented));
            if (parse.GetValue(follow))
            {
                TaskWatcher.RequireFinished(task);
            }
        });
        return command;
    }

    private static Command Cancel()
    {
        var id = TaskId();
        var command = new Command("cancel", "Cancel a task: it ends within about a second, keeping what it completed") { id };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var taskId = parse.GetValue(id)!;
            await client.DeleteAsync(Path(taskId), cancellationToken);
            output.Info($"cancelling {taskId}; berth task show {taskId} says when it has ended");
        });
        return command;
    }

    private static string Path(string taskId) => $"/tasks/{Uri.EscapeDataString(taskId)}/";

    private static string Tag(JsonNode task, string prefix) =>
        task["tags"]?.AsArray().Select(t => t!.GetValue<string>()).FirstOrDefault(t => t.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..] ?? "";
}
