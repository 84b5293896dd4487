using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Events;
using Berth.Server.Orphans;
using Berth.Server.Retention;
using Berth.Server.Storage;
using NUnit.Framework;

namespace Berth.Tests.Storage;

/// <summary>The contract of the stores beside units and repositories: users and tokens, retention policies, orphans, the outbox.</summary>
public abstract partial class MetadataStoreContract
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected static NotificationEvent Event(string id, string repository) => new()
    {
        Id = id,
        Timestamp = Epoch,
        Action = "push",
        Target = new EventTarget { Repository = repository, Digest = "sha256:" + new string('a', 64) },
        Actor = new EventActor { Name = "tester" },
        Source = new EventSource { InstanceId = "contract" },
    };

    [Test]
    public async Task Users_AreCreatedOnce_Updated_Listed_AndDeletedWithTheirTokens()
    {
        var alice = new User { Login = "alice", PasswordHash = "h1", Grants = [new Grant("team/*", AccessAction.Pull | AccessAction.Push)], Created = Epoch };
        var token = new ApiToken
        {
            Id = "t1",
            Login = "alice",
            Name = "ci",
            SecretHash = "s",
            Expires = Epoch.AddDays(30),
            Scope = [new Grant("team/app", AccessAction.Pull)],
            Account = true,
            Created = Epoch,
        };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Users.TryCreateAsync(alice, None), Is.True);
            Assert.That(await Users.TryCreateAsync(alice with { PasswordHash = "other" }, None), Is.False);
            Assert.That(await Users.TryCreateAsync(alice with { Login = "Alice" }, None), Is.True, "logins differing in case are two users");
            Assert.That(await Users.UpdateAsync(alice with { PasswordHash = "h2", Created = Epoch.AddYears(1) }, None), Is.True);
            Assert.That(await Users.UpdateAsync(alice with { Login = "ghost" }, None), Is.False);
        }

        await Users.CreateTokenAsync(token, None);
        await Users.CreateTokenAsync(token with { Id = "t2", Account = false, Created = Epoch.AddSeconds(1) }, None);
        await ReopenAsync();

        var found = await Users.FindAsync("alice", None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(found!.PasswordHash, Is.EqualTo("h2"));
            Assert.That(found.Created, Is.EqualTo(Epoch), "an update keeps the creation time");
            Assert.That(found.Grants, Is.EqualTo(alice.Grants));
            Assert.That((await Users.ListAsync(None)).Select(u => u.Login), Is.EqualTo(new[] { "Alice", "alice" }), "in ordinal order");
            Assert.That(await Users.CountAsync(None), Is.EqualTo(2));
            Assert.That((await Users.FindTokenAsync("t1", None)) is { } stored && stored == token with { Scope = stored.Scope } && stored.Scope.SequenceEqual(token.Scope), Is.True);
            Assert.That((await Users.ListTokensAsync("alice", None)).Select(t => (t.Id, t.Account)), Is.EqualTo(new[] { ("t1", true), ("t2", false) }));
            Assert.That(await Users.DeleteTokenAsync("Alice", "t2", None), Is.False, "another user's token");
            Assert.That(await Users.DeleteTokenAsync("alice", "t2", None), Is.True);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Users.DeleteAsync("alice", None), Is.True);
            Assert.That(await Users.DeleteAsync("alice", None), Is.False);
            Assert.That(await Users.FindTokenAsync("t1", None), Is.Null, "a user's tokens go with them");
            Assert.That(await Users.FindAsync("Alice", None), Is.Not.Null);
        }
    }

    [Test]
    public async Task RetentionPolicies_NeedTheRepository_AndGoWithIt()
    {
        var repository = await CreateAsync("kept");
        var policy = new RetentionPolicy([new TagRule("v*", 3)], TimeSpan.FromDays(2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await RetentionPolicies.SaveAsync(Id("missing"), policy, None), Is.False);
            Assert.That(await RetentionPolicies.SaveAsync(repository.Id, policy with { UntaggedOlderThan = null }, None), Is.True);
            Assert.That(await RetentionPolicies.SaveAsync(repository.Id, policy, None), Is.True, "a second save replaces the first");
        }

        await ReopenAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await RetentionPolicies.FindAsync(repository.Id, None), Is.EqualTo(policy).Using<RetentionPolicy>((a, b) => a.Describe().ToJsonString() == b.Describe().ToJsonString()));
            Assert.That((await RetentionPolicies.ListAsync(None)).Select(p => p.Repository), Is.EqualTo(new[] { repository.Id }));
            Assert.That(await RetentionPolicies.FindAsync(Id("missing"), None), Is.Null);
        }

        await Repositories.DeleteAsync(repository.Id, None);
        await CreateAsync("kept");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await RetentionPolicies.FindAsync(repository.Id, None), Is.Null, "a repository's policy goes with it");
            Assert.That(await RetentionPolicies.DeleteAsync(repository.Id, None), Is.False);
        }
    }

    [Test]
    public async Task Orphans_AreUnitsInNoRepository_PagedAndDeletedOnlyWhileStillOrphaned()
    {
        var repository = await CreateAsync("holder");
        var units = new List<Unit>();
        for (var i = 0; i < 6; i++)
        {
            units.Add(await SaveAsync(i == 5 ? Blob($"c{i}", i) with { TypeId = "docker_manifest", ContentDigest = "sha256:ab" + i } : Blob($"c{i}", i) with { ContentDigest = "sha256:cd" + i }, None));
        }

        await AssociateAsync(repository.Id, units[0], None);
        var orphanIds = units.Skip(1).Select(u => u.Id!).ToHashSet(StringComparer.Ordinal);

        // Paged two units at a time: every page ends where the next begins, and only orphans come back.
        var seen = new List<Orphan>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await Orphans.PageAsync(null, after, 2, None);
            seen.AddRange(page.Orphans);
            after = page.Next;
            pages++;
        }
        while (after is not null && pages < 10);

        var later = Clock.GetUtcNow().AddHours(1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen.Select(o => o.Unit.Id), Is.EquivalentTo(orphanIds));
            Assert.That(pages, Is.InRange(3, 4));
            Assert.That((await Orphans.PageAsync("docker_manifest", null, 100, None)).Orphans.Select(o => o.Unit.Id), Is.EqualTo(new[] { units[5].Id }));
            Assert.That(await Orphans.NamedDigestsAsync("sha256:ab", None), Is.EquivalentTo(new[] { "sha256:ab5" }));
            Assert.That(await Orphans.NamedDigestsAsync("sha256:c", None), Has.Count.EqualTo(5));
            Assert.That(await Orphans.DeleteAsync(seen, Clock.GetUtcNow(), None), Is.Empty, "orphaned since the cutoff, not before it");
        }

        // Meanwhile one is associated, one removed from the repository it was in is not among those listed.
        await AssociateAsync(repository.Id, units[1], None);
        var deleted = await Orphans.DeleteAsync(seen, later, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleted.Select(o => o.Unit.Id), Is.EquivalentTo(orphanIds.Except([units[1].Id!])));
            Assert.That(await Units.FindAsync("docker_blob", units[1].Key, None), Is.Not.Null, "associated since it was listed");
            Assert.That(await Units.FindAsync("docker_blob", units[2].Key, None), Is.Null);
            Assert.That(await Orphans.NamedDigestsAsync("sha256:", None), Is.EquivalentTo(new[] { "sha256:cd0", "sha256:cd1" }));
        }
    }

    [Test]
    public async Task AUnitRemovedFromItsRepository_IsAnOrphanFromThen()
    {
        var repository = await CreateAsync("r");
        var unit = await SaveAsync(Blob("d1", 1), None);
        await AssociateAsync(repository.Id, unit, None);
        Clock.Advance(TimeSpan.FromHours(1));
        var removed = Clock.GetUtcNow();
        using (var work = new UnitOfWork())
        {
            work.Remove(repository.Id, unit.Id!);
            await work.CommitAsync(Work, None);
        }

        var orphan = (await Orphans.PageAsync(null, null, 10, None)).Orphans.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(orphan.Since, Is.EqualTo(removed));
            Assert.That(await Orphans.DeleteAsync([orphan], removed, None), Is.Empty, "orphaned only since its removal, an hour after its import");
            Assert.That((await Orphans.DeleteAsync([orphan], removed.AddSeconds(1), None)).Select(o => o.Unit.Id), Is.EqualTo(new[] { unit.Id }));
        }
    }

    [Test]
    public async Task Outbox_HandsOutEventsInOrder_KeepsCursors_AndPrunesWhatEveryEndpointPassed()
    {
        var repository = await CreateAsync("events");
        await Events.AppendAsync([Event("e1", "events"), Event("e2", "events")], None);
        using (var work = new UnitOfWork())
        {
            var blob = work.Save(Blob("e9", 1));
            work.Associate(repository.Id, blob);
            work.Announce(Event("e3", "events"));
            work.Announce(Event("e4", "events"));
            await work.CommitAsync(Work, None);
        }

        await Events.AppendLazilyAsync([Event("e5", "events")]);
        var all = await Events.ReadAfterAsync(0, 100, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(all.Select(e => e.Event.Id), Is.EqualTo(new[] { "e1", "e2", "e3", "e4", "e5" }));
            Assert.That(all.Select(e => e.Position), Is.Ordered.Ascending.And.Unique);
            Assert.That(all[0].Event, Is.EqualTo(Event("e1", "events")).Using<NotificationEvent>((a, b) => a.Id == b.Id && a.Target == b.Target && a.Timestamp == b.Timestamp));
            Assert.That((await Events.ReadAfterAsync(all[1].Position, 2, None)).Select(e => e.Event.Id), Is.EqualTo(new[] { "e3", "e4" }));
            Assert.That(await Events.CursorAsync("hook", None), Is.Zero);
        }

        await Events.AdvanceAsync("hook", all[2].Position, None);
        await Events.AdvanceAsync("audit", all[4].Position, None);
        await Events.PruneAsync(["hook", "audit"], None);
        await ReopenAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Events.CursorAsync("hook", None), Is.EqualTo(all[2].Position));
            Assert.That((await Events.ReadAfterAsync(0, 100, None)).Select(e => e.Event.Id), Is.EqualTo(new[] { "e4", "e5" }), "what both passed is pruned");
        }

        // Every event is pruned; the next one still comes after every cursor.
        await Events.AdvanceAsync("hook", all[4].Position, None);
        await Events.PruneAsync(["hook", "audit"], None);
        await ReopenAsync();
        await Events.AppendAsync([Event("e6", "events")], None);
        var next = await Events.ReadAfterAsync(all[4].Position, 100, None);
        Assert.That(next.Select(e => e.Event.Id), Is.EqualTo(new[] { "e6" }));
    }
}
