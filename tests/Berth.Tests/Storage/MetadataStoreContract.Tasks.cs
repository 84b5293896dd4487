using System.Text.Json.Nodes;
using Berth.Server.Tasks;
using NUnit.Framework;

namespace Berth.Tests.Storage;

/// <summary>The contract of the task store: one unended task per repository, heartbeats, cancellation and abandonment.</summary>
public abstract partial class MetadataStoreContract
{
    private static readonly DateTimeOffset TaskEpoch = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static TaskRecord NewTask(string repository, DateTimeOffset? at = null) =>
        new(TaskRecord.NewId(), TaskKind.Sync.TaskType, repository, TaskState.Waiting, "server-a", at ?? TaskEpoch, at ?? TaskEpoch);

    [Test]
    public async Task Tasks_OneUnendedPerRepository_EvenWhenAskedAtOnce()
    {
        var created = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Tasks.CreateUnlessBusyAsync(NewTask("busy"), None)));
        var winner = created.Single(c => c.Created).Task;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.Select(c => c.Task.Id).Distinct(), Is.EqualTo(new[] { winner.Id }), "every caller is answered the one task");
            Assert.That((await Tasks.CreateUnlessBusyAsync(NewTask("other"), None)).Created, Is.True, "another repository's task is its own");
        }

        Assert.That(await Tasks.StartAsync(winner.Id, "server-b", TaskEpoch.AddSeconds(1), None), Is.True);
        Assert.That(await Tasks.StartAsync(winner.Id, "server-b", TaskEpoch.AddSeconds(1), None), Is.False, "started once");
        Assert.That((await Tasks.CreateUnlessBusyAsync(NewTask("busy"), None)).Task.Id, Is.EqualTo(winner.Id), "running is unended too");

        await Tasks.EndAsync(winner.Id, TaskState.Finished, new JsonObject { ["p"] = 1 }, new JsonObject { ["added"] = 3 }, null, TaskEpoch.AddSeconds(2), None);
        await Tasks.EndAsync(winner.Id, TaskState.Error, null, null, new JsonObject { ["code"] = "X" }, TaskEpoch.AddSeconds(3), None);
        await ReopenAsync();
        var ended = await Tasks.FindAsync(winner.Id, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ended!.State, Is.EqualTo(TaskState.Finished), "an ended task stays as it ended");
            Assert.That(ended.Worker, Is.EqualTo("server-b"));
            Assert.That(ended.StartTime, Is.EqualTo(TaskEpoch.AddSeconds(1)));
            Assert.That(ended.FinishTime, Is.EqualTo(TaskEpoch.AddSeconds(2)));
            Assert.That(ended.ProgressReport!.ToJsonString(), Is.EqualTo("""{"p":1}"""));
            Assert.That(ended.Result!.ToJsonString(), Is.EqualTo("""{"added":3}"""));
            Assert.That(ended.Error, Is.Null);
            Assert.That((await Tasks.CreateUnlessBusyAsync(NewTask("busy"), None)).Created, Is.True, "once ended, the repository may have a new one");
            Assert.That(await Tasks.FindAsync("no-such-task", None), Is.Null);
        }
    }

    [Test]
    public async Task Tasks_RecordedEnded_AreReadable_BusyNothing_AndGoOnceOldEnough()
    {
        var running = (await Tasks.CreateUnlessBusyAsync(NewTask("busy-repo"), None)).Task;
        var finished = new TaskRecord(
            TaskRecord.NewId(), TaskKind.ImportUpload.TaskType, "busy-repo", TaskState.Finished, "server-a",
            TaskEpoch, TaskEpoch.AddSeconds(1), TaskEpoch, TaskEpoch.AddSeconds(1), Result: new JsonObject { ["unit_id"] = "u1" });
        var orphans = finished with { Id = TaskRecord.NewId(), TaskType = TaskKind.DeleteOrphans.TaskType, RepositoryId = "", FinishTime = TaskEpoch.AddDays(3) };
        await Tasks.RecordEndedAsync(finished, None);
        await Tasks.RecordEndedAsync(orphans, None);
        Assert.ThrowsAsync<ArgumentException>(() => Tasks.RecordEndedAsync(NewTask("other"), None), "only ended tasks are recorded so");
        await ReopenAsync();

        var read = await Tasks.FindAsync(finished.Id, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read!.State, Is.EqualTo(TaskState.Finished));
            Assert.That(read.StartTime, Is.EqualTo(TaskEpoch));
            Assert.That(read.FinishTime, Is.EqualTo(TaskEpoch.AddSeconds(1)));
            Assert.That(read.Result!.ToJsonString(), Is.EqualTo("""{"unit_id":"u1"}"""));
            Assert.That((await Tasks.CreateUnlessBusyAsync(NewTask("busy-repo"), None)).Task.Id, Is.EqualTo(running.Id), "the unended task is still the repository's");
            Assert.That((await Tasks.ListAsync(null, [TaskState.Finished], 10, None)).Select(t => t.Id), Is.EquivalentTo(new[] { finished.Id, orphans.Id }));
        }

        Assert.That(await Tasks.RemoveEndedAsync(TaskEpoch.AddDays(1), None), Is.EqualTo(1), "ended before the cut");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Tasks.FindAsync(finished.Id, None), Is.Null);
            Assert.That(await Tasks.FindAsync(orphans.Id, None), Is.Not.Null, "ended after the cut");
            Assert.That(await Tasks.FindAsync(running.Id, None), Is.Not.Null, "an unended task stays whatever its age");
        }
    }

    [Test]
    public async Task Tasks_Heartbeats_KeepProgress_AndSayWhenToStop()
    {
        var task = (await Tasks.CreateUnlessBusyAsync(NewTask("beating"), None)).Task;
        await Tasks.StartAsync(task.Id, "server-a", TaskEpoch, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Tasks.BeatAsync(task.Id, "server-a", new JsonObject { ["done"] = 1 }, TaskEpoch.AddSeconds(1), None), Is.False);
            Assert.That(await Tasks.BeatAsync(task.Id, "server-a", null, TaskEpoch.AddSeconds(2), None), Is.False);
            Assert.That((await Tasks.FindAsync(task.Id, None))!.ProgressReport!.ToJsonString(), Is.EqualTo("""{"done":1}"""), "a beat without progress keeps the last");
            Assert.That((await Tasks.FindAsync(task.Id, None))!.Heartbeat, Is.EqualTo(TaskEpoch.AddSeconds(2)));
            Assert.That(await Tasks.BeatAsync(task.Id, "server-z", null, TaskEpoch.AddSeconds(2), None), Is.True, "another worker's beat: it should stop");
        }

        var asked = await Tasks.RequestCancelAsync(task.Id, TaskEpoch.AddSeconds(3), None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(asked!.State, Is.EqualTo(TaskState.Running), "a running task ends when its server notices");
            Assert.That(asked.CancelRequested, Is.True);
            Assert.That(await Tasks.BeatAsync(task.Id, "server-a", null, TaskEpoch.AddSeconds(4), None), Is.True, "the next beat says stop");
        }

        var waiting = (await Tasks.CreateUnlessBusyAsync(NewTask("waiting"), None)).Task;
        var canceled = await Tasks.RequestCancelAsync(waiting.Id, TaskEpoch.AddSeconds(5), None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(canceled!.State, Is.EqualTo(TaskState.Canceled), "a waiting task ends at once");
            Assert.That(canceled.FinishTime, Is.EqualTo(TaskEpoch.AddSeconds(5)));
            Assert.That(await Tasks.StartAsync(waiting.Id, "server-a", TaskEpoch.AddSeconds(6), None), Is.False, "and never starts");
            Assert.That(await Tasks.RequestCancelAsync("no-such-task", TaskEpoch, None), Is.Null);
        }
    }

    [Test]
    public async Task SyncSchedules_NeedTheirRepository_AreChangedAndDeleted_AndGoWithIt()
    {
        var repository = await CreateAsync("scheduled");
        var schedule = new Berth.Server.Sync.SyncSchedule(
            "s1", repository.Id, "docker_sync_importer", "PT1H", TaskEpoch, TimeSpan.FromHours(1), true, new JsonObject { ["mirror"] = true }, TaskEpoch, null, 0);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await SyncSchedules.AddAsync(schedule, None), Is.True);
            Assert.That(await SyncSchedules.AddAsync(schedule with { Id = "s2", RepositoryId = Id("no-such-repository") }, None), Is.False);
            Assert.That(await SyncSchedules.UpdateAsync(schedule with { Id = "s9" }, None), Is.False);
            Assert.That(await SyncSchedules.UpdateAsync(schedule with { Enabled = false, LastRunAt = TaskEpoch.AddHours(1), NextRun = TaskEpoch.AddHours(2), TotalRunCount = 1 }, None), Is.True);
        }

        await ReopenAsync();
        var stored = (await SyncSchedules.ListAsync(repository.Id, None)).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored with { OverrideConfig = null }, Is.EqualTo(schedule with { Enabled = false, LastRunAt = TaskEpoch.AddHours(1), NextRun = TaskEpoch.AddHours(2), TotalRunCount = 1, OverrideConfig = null }));
            Assert.That(stored.OverrideConfig!.ToJsonString(), Is.EqualTo("""{"mirror":true}"""));
            Assert.That(await SyncSchedules.ListAsync(null, None), Has.Count.EqualTo(1));
            Assert.That(await SyncSchedules.DeleteAsync(Id("elsewhere"), "s1", None), Is.False, "only in its repository");
        }

        await SyncSchedules.AddAsync(schedule with { Id = "s3" }, None);
        Assert.That(await SyncSchedules.DeleteAsync(repository.Id, "s1", None), Is.True);
        await Repositories.DeleteAsync(repository.Id, None);
        Assert.That(await SyncSchedules.ListAsync(null, None), Is.Empty, "a repository's schedules go with it");
    }

    [Test]
    public async Task Tasks_AbandonedByTheirServer_EndInError_AndAreListedNewestFirst()
    {
        var old = (await Tasks.CreateUnlessBusyAsync(NewTask("old", TaskEpoch), None)).Task;
        await Tasks.StartAsync(old.Id, "server-a", TaskEpoch, None);
        var fresh = (await Tasks.CreateUnlessBusyAsync(NewTask("fresh", TaskEpoch.AddSeconds(50)), None)).Task;
        await Tasks.StartAsync(fresh.Id, "server-b", TaskEpoch.AddSeconds(50), None);
        var done = (await Tasks.CreateUnlessBusyAsync(NewTask("done", TaskEpoch.AddSeconds(10)), None)).Task;
        await Tasks.EndAsync(done.Id, TaskState.Finished, null, null, null, TaskEpoch.AddSeconds(11), None);

        var error = new JsonObject { ["code"] = "BRT0503", ["description"] = "its server stopped" };
        Assert.That(await Tasks.EndAbandonedAsync(TaskEpoch.AddSeconds(30), error, TaskEpoch.AddSeconds(60), None), Is.EqualTo(1));
        var abandoned = await Tasks.FindAsync(old.Id, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(abandoned!.State, Is.EqualTo(TaskState.Error));
            Assert.That(abandoned.Error!["code"]!.GetValue<string>(), Is.EqualTo("BRT0503"));
            Assert.That(abandoned.FinishTime, Is.EqualTo(TaskEpoch.AddSeconds(60)));
            Assert.That((await Tasks.FindAsync(fresh.Id, None))!.State, Is.EqualTo(TaskState.Running), "a task that beat recently is another server's, still at it");
            Assert.That((await Tasks.FindAsync(done.Id, None))!.State, Is.EqualTo(TaskState.Finished));
            Assert.That(await Tasks.BeatAsync(old.Id, "server-a", null, TaskEpoch.AddSeconds(61), None), Is.True, "its server, if it comes back, stops");
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await Tasks.ListAsync(null, null, 10, None)).Select(t => t.Id), Is.EqualTo(new[] { fresh.Id, done.Id, old.Id }));
            Assert.That((await Tasks.ListAsync(null, null, 2, None)).Select(t => t.Id), Is.EqualTo(new[] { fresh.Id, done.Id }));
            Assert.That((await Tasks.ListAsync(Id("old"), null, 10, None)).Select(t => t.Id), Is.EqualTo(new[] { old.Id }));
            Assert.That((await Tasks.ListAsync(null, [TaskState.Error, TaskState.Running], 10, None)).Select(t => t.Id), Is.EqualTo(new[] { fresh.Id, old.Id }));
            Assert.That(await Tasks.ListAsync(Id("fresh"), [TaskState.Finished], 10, None), Is.Empty);
        }
    }
}
