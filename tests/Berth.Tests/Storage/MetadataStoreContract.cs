using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Errors;
using Berth.Server.Events;
using Berth.Server.Importers;
using Berth.Server.Orphans;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using Berth.Server.Storage;
using Berth.Server.TagHistory;
using Berth.Server.Units;
using Berth.Server.Uploads;
using Docker.Common.References;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Berth.Tests.Storage;

/// <summary>
/// What every metadata backend must do, whatever it is built on. A backend's fixture derives from this, opens
/// its stores over fresh data in its own [SetUp] and closes them in its [TearDown]; <see cref="ReopenAsync"/>
/// must give stores over the same data, as after a restart.
/// </summary>
public abstract partial class MetadataStoreContract
{
    protected IRepositoryStore Repositories { get; set; } = null!;

    protected IImporterRegistrationStore Importers { get; set; } = null!;

    protected IUnitStore Units { get; set; } = null!;

    protected IUploadRequestStore Uploads { get; set; } = null!;

    protected ITagHistoryStore TagHistory { get; set; } = null!;

    protected IUnitOfWorkStore Work { get; set; } = null!;

    protected IUserStore Users { get; set; } = null!;

    protected ISignedOutSessionStore SignedOutSessions { get; set; } = null!;

    protected IRetentionPolicyStore RetentionPolicies { get; set; } = null!;

    protected IOrphanStore Orphans { get; set; } = null!;

    protected IEventStore Events { get; set; } = null!;

    protected IUnitUserMetadataStore UserMetadata { get; set; } = null!;

    protected Berth.Server.Tasks.ITaskStore Tasks { get; set; } = null!;

    protected Berth.Server.Sync.ISyncScheduleStore SyncSchedules { get; set; } = null!;

    /// <summary>The stores' clock (give it to every store that takes one): it moves only when a test moves it.</summary>
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Closes the stores and opens them again over the same data.</summary>
    protected abstract Task ReopenAsync();

    protected static readonly CancellationToken None = CancellationToken.None;

    protected static RepositoryId Id(string id) => RepositoryId.TryParse(id, out var parsed, out _) ? parsed : throw new ArgumentException(id);

    private static Repository NewRepository(string id) => new()
    {
        Id = Id(id),
        DisplayName = id.ToUpperInvariant(),
        Description = "about " + id,
        Notes = new Dictionary<string, string> { ["team"] = "x" },
        Created = DateTimeOffset.UtcNow,
    };

    protected static Unit Blob(string hex, long size) => new()
    {
        TypeId = "docker_blob",
        Key = UnitKey.Of("digest", "sha256:" + hex.PadLeft(64, '0')),
        Metadata = new JsonObject { ["size"] = size },
    };

    protected async Task<Unit> SaveAsync(Unit unit, CancellationToken cancellationToken)
    {
        using var work = new UnitOfWork();
        var saved = work.Save(unit);
        return (await work.CommitAsync(Work, cancellationToken)).Resolve(saved);
    }

    protected async Task AssociateAsync(RepositoryId repositoryId, Unit unit, CancellationToken cancellationToken)
    {
        using var work = new UnitOfWork();
        work.Associate(repositoryId, unit);
        await work.CommitAsync(Work, cancellationToken);
    }

    protected async Task<Repository> CreateAsync(string id)
    {
        var repository = NewRepository(id);
        Assert.That(await Repositories.TryCreateAsync(repository, [], None), Is.EqualTo(RepositoryWriteOutcome.Written));
        return repository;
    }

    [Test]
    public async Task Repository_CreatedWithImporters_HasThemAfterARestart_AndATakenIdAddsNone()
    {
        var id = Id("pushed");
        ImporterRegistration Registration(string type) => new() { RepositoryId = id, ImporterTypeId = type, Config = new JsonObject { ["k"] = type } };
        var importers = new[] { Registration("blob_importer"), Registration("manifest_importer") };
        Assert.That(await Repositories.TryCreateAsync(NewRepository("pushed"), importers, None), Is.EqualTo(RepositoryWriteOutcome.Written));
        Assert.That(await Repositories.TryCreateAsync(NewRepository("pushed"), [Registration("third_importer")], None), Is.EqualTo(RepositoryWriteOutcome.IdTaken));
        await ReopenAsync();

        var registered = await Importers.ListAsync(id, None);
        Assert.That(registered.Select(r => (r.ImporterTypeId, r.Config["k"]!.GetValue<string>())), Is.EquivalentTo(new[]
        {
            ("blob_importer", "blob_importer"),
            ("manifest_importer", "manifest_importer"),
        }));
    }

    [Test]
    public async Task Repository_IsCreatedOnce_FoundAndListed()
    {
        var created = await CreateAsync("one");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Repositories.TryCreateAsync(NewRepository("one"), [], None), Is.EqualTo(RepositoryWriteOutcome.IdTaken));
            var found = await Repositories.FindAsync(created.Id, None);
            Assert.That(found!.DisplayName, Is.EqualTo("ONE"));
            Assert.That(found.Description, Is.EqualTo("about one"));
            Assert.That(found.Notes, Is.EqualTo(created.Notes));
            Assert.That(found.Created, Is.EqualTo(created.Created).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(await Units.LastAddedAsync(created.Id, None), Is.Null);
            Assert.That((await Repositories.ListAsync(None)).Select(r => r.Id.Value), Is.EqualTo(new[] { "one" }));
            Assert.That(await Repositories.FindAsync(Id("other"), None), Is.Null);
        }
    }

    [Test]
    public async Task RepositoryIds_DifferingOnlyInCase_AreDifferentRepositories()
    {
        await CreateAsync("App");
        Assert.That(await Repositories.TryCreateAsync(NewRepository("app"), [], None), Is.EqualTo(RepositoryWriteOutcome.Written));
        Assert.That(await Repositories.ListAsync(None), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task RegistryNames_AreUnique_FoundAndChangeable()
    {
        var name = RegistryName.Parse("team/app");
        var first = NewRepository("first") with { RegistryName = name };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Repositories.TryCreateAsync(first, [], None), Is.EqualTo(RepositoryWriteOutcome.Written));
            Assert.That(await Repositories.TryCreateAsync(NewRepository("second") with { RegistryName = name }, [], None), Is.EqualTo(RepositoryWriteOutcome.RegistryNameTaken));
            Assert.That(await Repositories.TryCreateAsync(NewRepository("third"), [], None), Is.EqualTo(RepositoryWriteOutcome.Written), "any number may have no name");
            Assert.That(await Repositories.TryCreateAsync(NewRepository("fourth"), [], None), Is.EqualTo(RepositoryWriteOutcome.Written));
            Assert.That((await Repositories.FindByRegistryNameAsync(name, None))!.Id, Is.EqualTo(first.Id));
        }

        var renamed = first with { RegistryName = RegistryName.Parse("team/web"), DisplayName = "Renamed" };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Repositories.TryUpdateAsync(renamed, None), Is.EqualTo(RepositoryWriteOutcome.Written));
            Assert.That(await Repositories.FindByRegistryNameAsync(name, None), Is.Null);
            Assert.That((await Repositories.FindByRegistryNameAsync(RegistryName.Parse("team/web"), None))!.DisplayName, Is.EqualTo("Renamed"));
            Assert.That(await Repositories.TryUpdateAsync(NewRepository("third") with { RegistryName = RegistryName.Parse("team/web") }, None), Is.EqualTo(RepositoryWriteOutcome.RegistryNameTaken));
            Assert.That(await Repositories.TryUpdateAsync(NewRepository("ghost"), None), Is.EqualTo(RepositoryWriteOutcome.Missing));
            Assert.That((await Repositories.FindAsync(first.Id, None))!.Created, Is.EqualTo(first.Created).Within(TimeSpan.FromMilliseconds(1)));
        }
    }

    [Test]
    public async Task DeletingARepository_TakesItsImportersAndAssociations_ButNotItsUnits()
    {
        var doomed = await CreateAsync("doomed");
        var kept = await CreateAsync("kept");
        var unit = await SaveAsync(Blob("1", 10), None);
        await AssociateAsync(doomed.Id, unit, None);
        await AssociateAsync(kept.Id, unit, None);
        await Importers.TryAddAsync(new ImporterRegistration { RepositoryId = doomed.Id, ImporterTypeId = "a", Config = [] }, _ => false, None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Repositories.DeleteAsync(doomed.Id, None), Is.True);
            Assert.That(await Repositories.DeleteAsync(doomed.Id, None), Is.False);
        }

        await Repositories.TryCreateAsync(NewRepository("doomed"), [], None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Units.SearchAsync(doomed.Id, new UnitCriteria(null, 0, null), None), Is.Empty);
            Assert.That(await Importers.ListAsync(doomed.Id, None), Is.Empty);
            Assert.That(await Units.FindAsync("docker_blob", unit.Key, None), Is.Not.Null);
            Assert.That(await Units.SearchAsync(kept.Id, new UnitCriteria(null, 0, null), None), Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task RepositoriesWhoseIdsBeginAlike_KeepTheirContentAndHistoryApart()
    {
        // "app" begins "app-2"; "a_b" and "axb" differ where a LIKE pattern would see a wildcard.
        string[] ids = ["app", "app-2", "a_b", "axb"];
        var units = new Dictionary<string, Unit>(StringComparer.Ordinal);
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var repository = await CreateAsync(id);
            using var work = new UnitOfWork();
            var saved = work.Save(Blob($"a{i}", i));
            work.Associate(repository.Id, saved);
            work.Record(new TagMove(repository.Id, "latest", DateTimeOffset.UtcNow, id, null, "sha256:" + new string('1', 64)));
            units[id] = (await work.CommitAsync(Work, None)).Resolve(saved);
        }

        async Task AssertHoldsOnlyItsOwnAsync(string id)
        {
            Assert.That((await Units.SearchAsync(Id(id), new UnitCriteria(null, 0, null), None)).Select(u => u.Unit.Id), Is.EqualTo(new[] { units[id].Id }), id);
            Assert.That(await Units.CountByTypeAsync(Id(id), None), Is.EquivalentTo(new Dictionary<string, long> { ["docker_blob"] = 1 }), id);
            Assert.That((await TagHistory.ListAsync(Id(id), "latest", None)).Select(m => m.Actor), Is.EqualTo(new[] { id }), id);
        }

        using (Assert.EnterMultipleScope())
        {
            foreach (var id in ids)
            {
                await AssertHoldsOnlyItsOwnAsync(id);
            }
        }

        Assert.That(await Repositories.DeleteAsync(Id("app"), None), Is.True);
        Assert.That(await Repositories.DeleteAsync(Id("a_b"), None), Is.True);
        using (Assert.EnterMultipleScope())
        {
            await AssertHoldsOnlyItsOwnAsync("app-2");
            await AssertHoldsOnlyItsOwnAsync("axb");
            Assert.That(await TagHistory.ListAsync(Id("app"), "latest", None), Is.Empty);
            Assert.That(await TagHistory.ListAsync(Id("a_b"), "latest", None), Is.Empty);
        }
    }

    [Test]
    public async Task ImporterRegistration_Outcomes()
    {
        var repository = await CreateAsync("r");
        var first = new ImporterRegistration { RepositoryId = repository.Id, ImporterTypeId = "a", Config = new JsonObject { ["n"] = 1 } };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Importers.TryAddAsync(first, _ => false, None), Is.EqualTo(ImporterRegistrationOutcome.Added));
            Assert.That(await Importers.TryAddAsync(first, _ => false, None), Is.EqualTo(ImporterRegistrationOutcome.AlreadyRegistered));
            Assert.That(
                await Importers.TryAddAsync(first with { ImporterTypeId = "b" }, existing => existing.ImporterTypeId == "a", None),
                Is.EqualTo(ImporterRegistrationOutcome.TypesConflict));
            Assert.That(
                await Importers.TryAddAsync(first with { RepositoryId = Id("missing") }, _ => false, None),
                Is.EqualTo(ImporterRegistrationOutcome.RepositoryMissing));
            Assert.That(await Importers.TryAddAsync(first with { ImporterTypeId = "c" }, _ => false, None), Is.EqualTo(ImporterRegistrationOutcome.Added));
        }

        var listed = await Importers.ListAsync(repository.Id, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed.Select(r => r.ImporterTypeId), Is.EqualTo(new[] { "a", "c" }));
            Assert.That(listed[0].Config["n"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(await Importers.RemoveAsync(repository.Id, "a", None), Is.True);
            Assert.That(await Importers.RemoveAsync(repository.Id, "a", None), Is.False);
        }
    }

    [Test]
    public async Task SavingAUnit_Inserts_ThenUpdatesTheSameUnit()
    {
        var saved = await SaveAsync(Blob("a", 1), None);
        var again = await SaveAsync(Blob("a", 1) with { Metadata = new JsonObject { ["size"] = 1, ["note"] = "more" } }, None);
        var found = await Units.FindAsync("docker_blob", Blob("a", 1).Key, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(saved.Id, Is.Not.Null.And.Not.Empty);
            Assert.That(again.Id, Is.EqualTo(saved.Id));
            Assert.That(found!.Metadata["note"]!.GetValue<string>(), Is.EqualTo("more"));
            Assert.That(await Units.FindAsync("docker_manifest", Blob("a", 1).Key, None), Is.Null, "keys are per type");
        }
    }

    [Test]
    public async Task UsersMetadataOfAUnit_IsSetAndRead_AndOutlivesTheUnitBeingSavedAgain()
    {
        var unit = await SaveAsync(Blob("f", 5), None);
        var set = new JsonObject { ["owner"] = "team-a", ["approved"] = true, ["nested"] = new JsonObject { ["list"] = new JsonArray(1, "two") } };

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await UserMetadata.FindAsync("docker_blob", unit.Id!, None))!.ToJsonString(), Is.EqualTo("{}"), "none set: an empty object");
            Assert.That(await UserMetadata.SetAsync("docker_blob", unit.Id!, set, None), Is.True);
            Assert.That(await UserMetadata.SetAsync("docker_manifest", unit.Id!, set, None), Is.False, "a unit is found by its type and id");
            Assert.That(await UserMetadata.SetAsync("docker_blob", "no-such-unit", set, None), Is.False);
            Assert.That(await UserMetadata.FindAsync("docker_blob", "no-such-unit", None), Is.Null);
        }

        // Imported again, the unit keeps what users set: that is theirs, not the importer's.
        await SaveAsync(Blob("f", 5) with { Metadata = new JsonObject { ["size"] = 5, ["note"] = "again" } }, None);
        await ReopenAsync();
        var found = await UserMetadata.FindAsync("docker_blob", unit.Id!, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(JsonNode.DeepEquals(found, set), Is.True, found?.ToJsonString());
            Assert.That((await Units.FindAsync("docker_blob", Blob("f", 5).Key, None))!.Metadata["note"]!.GetValue<string>(), Is.EqualTo("again"));
        }

        Assert.That(await UserMetadata.SetAsync("docker_blob", unit.Id!, [], None), Is.True);
        Assert.That((await UserMetadata.FindAsync("docker_blob", unit.Id!, None))!.ToJsonString(), Is.EqualTo("{}"), "replaced, not merged");
    }

    [Test]
    public async Task UnitMetadata_RoundTripsEveryJsonKind()
    {
        var metadata = new JsonObject
        {
            ["text"] = "ünïcödé \n quotes \"",
            ["big"] = 4_398_046_511_104L,
            ["small"] = -3,
            ["fraction"] = 0.25,
            ["yes"] = true,
            ["no"] = false,
            ["nothing"] = null,
            ["list"] = new JsonArray(1, "two", new JsonObject { ["three"] = 3 }),
            ["nested"] = new JsonObject { ["org.opencontainers.image.title"] = "dots in keys", ["$dollar"] = "ok" },
        };
        await SaveAsync(Blob("b", 2) with { Metadata = metadata }, None);
        await ReopenAsync();
        var found = (await Units.FindAsync("docker_blob", Blob("b", 2).Key, None))!.Metadata;
        Assert.That(JsonNode.DeepEquals(found, metadata), Is.True, found.ToJsonString());
    }

    [Test]
    public async Task Association_NeedsTheRepository_AndIsMadeOnce()
    {
        var repository = await CreateAsync("r");
        var unit = await SaveAsync(Blob("c", 3), None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(async () => await AssociateAsync(Id("gone"), unit, None), Throws.TypeOf<NotFoundException>());
            Assert.That(async () => await AssociateAsync(repository.Id, unit, None), Throws.Nothing);
            Assert.That(async () => await AssociateAsync(repository.Id, unit, None), Throws.Nothing);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Units.SearchAsync(repository.Id, new UnitCriteria(null, 0, null), None), Has.Count.EqualTo(1));
            Assert.That(await Units.LastAddedAsync(repository.Id, None), Is.Not.Null);
        }
    }

    [Test]
    public async Task FindInRepository_ReturnsOnlyUnitsAssociatedWithIt()
    {
        var (mine, theirs) = (await CreateAsync("mine"), await CreateAsync("theirs"));
        var units = new List<Unit>();
        foreach (var hex in new[] { "1", "2", "3" })
        {
            units.Add(await SaveAsync(Blob(hex, 1), None));
        }

        await AssociateAsync(mine.Id, units[0], None);
        await AssociateAsync(mine.Id, units[1], None);
        await AssociateAsync(theirs.Id, units[2], None);
        var found = await Units.FindInRepositoryAsync(mine.Id, "docker_blob", [.. units.Select(u => u.Key), UnitKey.Of("digest", "sha256:" + new string('9', 64))], None);
        Assert.That(found.Select(u => u.Id), Is.EquivalentTo(new[] { units[0].Id, units[1].Id }));
        Assert.That(await Units.FindInRepositoryAsync(mine.Id, "docker_blob", [], None), Is.Empty);
    }

    [Test]
    public async Task FindWithReferenced_GivesTheUnit_WithTheReferencedUnitsTheRepositoryHolds()
    {
        var mine = await CreateAsync("mine");
        var other = await CreateAsync("other");
        var (held, notHeld) = (await SaveAsync(Blob("b1", 1), None), await SaveAsync(Blob("b2", 2), None));
        var missing = Blob("b3", 3);
        var name = await SaveAsync(
            Blob("t1", 0) with
            {
                TypeId = "docker_tag",
                References = [.. new[] { held, notHeld, missing }.Select(u => new UnitReference(u.TypeId, u.Key, UnitReferenceKind.Target))],
            },
            None);
        foreach (var unit in new[] { name, held })
        {
            await AssociateAsync(mine.Id, unit, None);
        }

        await AssociateAsync(other.Id, notHeld, None);
        var found = await Units.FindWithReferencedAsync(mine.Id, "docker_tag", name.Key, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(found?.Unit.Id, Is.EqualTo(name.Id));
            Assert.That(found?.Referenced.Select(u => u.Id), Is.EqualTo(new[] { held.Id }), "only what the repository holds");
            Assert.That(await Units.FindWithReferencedAsync(other.Id, "docker_tag", name.Key, None), Is.Null, "a unit the repository does not hold");
            Assert.That(await Units.FindWithReferencedAsync(mine.Id, "docker_tag", missing.Key, None), Is.Null, "a unit not stored");
            Assert.That((await Units.FindWithReferencedAsync(mine.Id, "docker_blob", held.Key, None))?.Referenced, Is.Empty, "a unit that references nothing");
        }
    }

    [Test]
    public async Task Search_FiltersByType_PagesInAssociationOrder_AndCounts()
    {
        var repository = await CreateAsync("r");
        var order = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var unit = await SaveAsync(i % 2 == 0 ? Blob($"{i}", i) : Blob($"{i}", i) with { TypeId = "docker_manifest" }, None);
            await AssociateAsync(repository.Id, unit, None);
            order.Add(unit.Id!);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await Units.SearchAsync(repository.Id, new UnitCriteria(null, 0, null), None)).Select(u => u.Unit.Id), Is.EqualTo(order));
            Assert.That((await Units.SearchAsync(repository.Id, new UnitCriteria(null, 1, 3), None)).Select(u => u.Unit.Id), Is.EqualTo(order.Skip(1).Take(3)));
            Assert.That((await Units.SearchAsync(repository.Id, new UnitCriteria(["docker_manifest"], 0, null), None)).Select(u => u.Unit.Id), Is.EqualTo(new[] { order[1], order[3] }));
            Assert.That(await Units.CountByTypeAsync(repository.Id, None), Is.EquivalentTo(new Dictionary<string, long> { ["docker_blob"] = 3, ["docker_manifest"] = 2 }));
        }

        await ReopenAsync();
        var later = await SaveAsync(Blob("99", 1), None);
        await AssociateAsync(repository.Id, later, None);
        Assert.That((await Units.SearchAsync(repository.Id, new UnitCriteria(null, 0, null), None))[^1].Unit.Id, Is.EqualTo(later.Id), "order survives a restart");
        Assert.That(await Units.CountByTypeAsync(repository.Id, None), Is.EquivalentTo(new Dictionary<string, long> { ["docker_blob"] = 4, ["docker_manifest"] = 2 }));

        using (var work = new UnitOfWork())
        {
            work.Remove(repository.Id, order[1]);
            work.Remove(repository.Id, order[3]);
            work.Associate(repository.Id, later);
            await work.CommitAsync(Work, None);
        }

        Assert.That(
            await Units.CountByTypeAsync(repository.Id, None),
            Is.EquivalentTo(new Dictionary<string, long> { ["docker_blob"] = 4 }),
            "a type whose units all left is not counted; a unit associated again counts once");
    }

    [Test]
    public async Task Repositories_ArePagedInOrdinalIdOrder_FromAfterAnId()
    {
        // Ordinally "A" comes before "a", and "a" before "a-2", which begins with it.
        foreach (var id in new[] { "b", "a-2", "A", "a", "c" })
        {
            await CreateAsync(id);
        }

        async Task<string[]> PageAsync(string? after, int limit) =>
            [.. (await Repositories.ListAsync(after is null ? null : Id(after), limit, None)).Select(r => r.Id.Value)];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await PageAsync(null, 2), Is.EqualTo(new[] { "A", "a" }));
            Assert.That(await PageAsync("a", 2), Is.EqualTo(new[] { "a-2", "b" }));
            Assert.That(await PageAsync("b", 2), Is.EqualTo(new[] { "c" }));
            Assert.That(await PageAsync("c", 2), Is.Empty);
            Assert.That(await PageAsync("a-1", 10), Is.EqualTo(new[] { "a-2", "b", "c" }), "after an id no repository has");
            Assert.That(await PageAsync(null, 10), Is.EqualTo((await Repositories.ListAsync(None)).Select(r => r.Id.Value)), "the whole list, in the same order");
            Assert.That((await Repositories.ListAsync(null, 1, None))[0].DisplayName, Is.EqualTo("A"), "whole repositories");
        }
    }

    [Test]
    public async Task UploadRequests_AreCreatedFoundListedAndDeleted()
    {
        var upload = new UploadRequest(UploadId.New(), DateTimeOffset.UtcNow);
        await Uploads.CreateAsync(upload, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await Uploads.FindAsync(upload.Id, None))!.Id, Is.EqualTo(upload.Id));
            Assert.That((await Uploads.ListAsync(None)).Select(u => u.Id), Is.EqualTo(new[] { upload.Id }));
            Assert.That(await Uploads.DeleteAsync(upload.Id, None), Is.True);
            Assert.That(await Uploads.DeleteAsync(upload.Id, None), Is.False);
            Assert.That(await Uploads.FindAsync(upload.Id, None), Is.Null);
        }
    }

    [Test]
    public async Task UploadParts_AreAddedInOrderOnceEach_AndGoWithTheirUpload()
    {
        var upload = new UploadRequest(UploadId.New(), DateTimeOffset.UtcNow);
        await Uploads.CreateAsync(upload, None);
        var stored = DateTimeOffset.UtcNow;
        UploadPart Part(int sequence, long offset, long length, string name) => new(sequence, offset, length, name, stored);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Uploads.PartsAsync(upload.Id, None), Is.Empty);
            Assert.That(await Uploads.AddPartAsync(upload.Id, Part(0, 0, 10, "000000-a"), None), Is.True);
            Assert.That(await Uploads.AddPartAsync(upload.Id, Part(0, 0, 10, "000000-b"), None), Is.False, "a second part 0: another server came first");
            Assert.That(await Uploads.AddPartAsync(upload.Id, Part(2, 10, 5, "000002-c"), None), Is.False, "numbers have no gaps");
            Assert.That(await Uploads.AddPartAsync(upload.Id, Part(1, 4, 20, "000001-d"), None), Is.True);
            Assert.That(await Uploads.AddPartAsync(UploadId.New(), Part(0, 0, 1, "000000-e"), None), Is.False, "no upload, no part");
        }

        await ReopenAsync();
        var parts = await Uploads.PartsAsync(upload.Id, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(parts.Select(p => (p.Sequence, p.Offset, p.Length, p.Name)), Is.EqualTo(new[] { (0, 0L, 10L, "000000-a"), (1, 4L, 20L, "000001-d") }));
            Assert.That(parts.Select(p => p.Stored), Is.All.EqualTo(stored).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(UploadPart.Extent(parts), Is.EqualTo(24));
        }

        Assert.That(await Uploads.DeleteAsync(upload.Id, None), Is.True);
        Assert.That(await Uploads.PartsAsync(upload.Id, None), Is.Empty, "the parts' record goes with the upload");
    }

    [Test]
    public async Task SignedOutUiSessions_AreRemembered_UntilTheyWouldHaveExpired()
    {
        var now = DateTimeOffset.UtcNow;
        await SignedOutSessions.SignOutAsync("expiring", now.AddMinutes(1), now, None);
        await SignedOutSessions.SignOutAsync("later", now.AddHours(12), now, None);
        await SignedOutSessions.SignOutAsync("later", now.AddHours(12), now, None);
        await ReopenAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await SignedOutSessions.IsSignedOutAsync("expiring", None), Is.True, "kept across a restart");
            Assert.That(await SignedOutSessions.IsSignedOutAsync("later", None), Is.True);
            Assert.That(await SignedOutSessions.IsSignedOutAsync("never", None), Is.False);
        }

        // Once a session would have expired, its cookie is refused anyway: the next sign-out forgets it.
        await SignedOutSessions.SignOutAsync("another", now.AddHours(13), now.AddMinutes(2), None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await SignedOutSessions.IsSignedOutAsync("expiring", None), Is.False);
            Assert.That(await SignedOutSessions.IsSignedOutAsync("later", None), Is.True);
            Assert.That(await SignedOutSessions.IsSignedOutAsync("another", None), Is.True);
        }
    }

    [Test]
    public async Task EndedSessions_AreRemembered_UntilTheyWouldHaveExpired()
    {
        var now = DateTimeOffset.UtcNow;
        var (old, recent, never) = (UploadId.New(), UploadId.New(), UploadId.New());
        await Uploads.RememberEndedAsync(old, now.AddHours(-2), None);
        await Uploads.RememberEndedAsync(recent, now, None);
        await Uploads.RememberEndedAsync(recent, now, None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Uploads.HasEndedAsync(old, None), Is.True);
            Assert.That(await Uploads.HasEndedAsync(never, None), Is.False);
            Assert.That(await Uploads.ListAsync(None), Is.Empty, "an ended session is no upload");
            Assert.That(await Uploads.ForgetEndedAsync(now.AddHours(-1), None), Is.EqualTo(1));
            Assert.That(await Uploads.HasEndedAsync(old, None), Is.False);
            Assert.That(await Uploads.HasEndedAsync(recent, None), Is.True);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Uploads.ForgetEndedAsync(recent, None), Is.True, "one, by its id");
            Assert.That(await Uploads.HasEndedAsync(recent, None), Is.False);
            Assert.That(await Uploads.ForgetEndedAsync(recent, None), Is.False, "once");
            Assert.That(await Uploads.ForgetEndedAsync(never, None), Is.False);
        }
    }

    [Test]
    public async Task EverythingWritten_SurvivesAReopen()
    {
        var repository = await CreateAsync("durable");
        var unit = await SaveAsync(Blob("d", 4), None);
        await AssociateAsync(repository.Id, unit, None);
        await Importers.TryAddAsync(new ImporterRegistration { RepositoryId = repository.Id, ImporterTypeId = "a", Config = [] }, _ => false, None);
        var upload = new UploadRequest(UploadId.New(), DateTimeOffset.UtcNow);
        await Uploads.CreateAsync(upload, None);

        await ReopenAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Repositories.FindAsync(repository.Id, None), Is.Not.Null);
            Assert.That(await Units.FindInRepositoryAsync(repository.Id, "docker_blob", [unit.Key], None), Has.Count.EqualTo(1));
            Assert.That(await Importers.ListAsync(repository.Id, None), Has.Count.EqualTo(1));
            Assert.That(await Uploads.FindAsync(upload.Id, None), Is.Not.Null);
        }
    }

    [Test]
    public async Task AUnitOfWork_CommitsEverythingItWrites_AtOnce()
    {
        var repository = await CreateAsync("work");
        var leaving = await SaveAsync(Blob("e0", 1), None);
        await AssociateAsync(repository.Id, leaving, None);
        var upload = new UploadRequest(UploadId.New(), DateTimeOffset.UtcNow);
        await Uploads.CreateAsync(upload, None);

        using (var work = new UnitOfWork())
        {
            var blob = work.Save(Blob("e1", 5));
            work.Associate(repository.Id, blob);
            work.Remove(repository.Id, leaving.Id!);
            work.Record(new TagMove(repository.Id, "latest", DateTimeOffset.UtcNow, "tester", null, "sha256:" + new string('1', 64)));
            work.EndUpload(upload, () => Task.CompletedTask);
            await work.CommitAsync(Work, None);
        }

        await ReopenAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await Units.SearchAsync(repository.Id, new UnitCriteria(null, 0, null), None)).Select(u => u.Unit.Key), Is.EqualTo(new[] { Blob("e1", 5).Key }));
            Assert.That(await Units.FindAsync("docker_blob", leaving.Key, None), Is.Not.Null, "removal takes the unit out of the repository, not out of the store");
            Assert.That((await TagHistory.ListAsync(repository.Id, "latest", None)).Select(m => m.Actor), Is.EqualTo(new[] { "tester" }));
            Assert.That(await Uploads.FindAsync(upload.Id, None), Is.Null);
            Assert.That(await Uploads.HasEndedAsync(upload.Id, None), Is.True, "a content API upload its import consumed is remembered as ended");
        }
    }

    [Test]
    public async Task AUnitOfWorkThatFails_WritesNothing()
    {
        var repository = await CreateAsync("kept");
        var upload = new UploadRequest(UploadId.New(), DateTimeOffset.UtcNow);
        await Uploads.CreateAsync(upload, None);
        var afterCommit = false;

        using (var work = new UnitOfWork())
        {
            var blob = work.Save(Blob("f1", 5));
            work.Associate(repository.Id, blob);
            work.Record(new TagMove(repository.Id, "latest", DateTimeOffset.UtcNow, "tester", null, "sha256:" + new string('2', 64)));
            work.EndUpload(upload, () =>
            {
                afterCommit = true;
                return Task.CompletedTask;
            });

            // The last association names a repository that is not there: the whole work fails, not just it.
            work.Associate(Id("missing"), blob);
            Assert.That(async () => await work.CommitAsync(Work, None), Throws.TypeOf<NotFoundException>());
        }

        await ReopenAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Units.FindAsync("docker_blob", Blob("f1", 5).Key, None), Is.Null);
            Assert.That(await Units.SearchAsync(repository.Id, new UnitCriteria(null, 0, null), None), Is.Empty);
            Assert.That(await TagHistory.ListAsync(repository.Id, "latest", None), Is.Empty);
            Assert.That(await Uploads.FindAsync(upload.Id, None), Is.Not.Null);
            Assert.That(await Uploads.HasEndedAsync(upload.Id, None), Is.False);
            Assert.That(afterCommit, Is.False, "what waits for the commit does not run without it");
        }
    }

    [Test]
    public async Task AUnitStoredMeanwhile_KeepsItsId_AndTheWorkAssociatesThatUnit()
    {
        var repository = await CreateAsync("race");
        using var late = new UnitOfWork();
        var provisional = late.Save(Blob("a1", 7) with { Metadata = new JsonObject { ["size"] = 7, ["by"] = "late" } });
        late.Associate(repository.Id, provisional);

        // Another import stores the same unit between this work's save and its commit.
        var first = await SaveAsync(Blob("a1", 7), None);
        var committed = await late.CommitAsync(Work, None);

        var found = await Units.FindInRepositoryAsync(repository.Id, "docker_blob", [Blob("a1", 7).Key], None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(provisional.Id, Is.Not.EqualTo(first.Id));
            Assert.That(committed.Resolve(provisional).Id, Is.EqualTo(first.Id));
            Assert.That(found.Select(u => u.Id), Is.EqualTo(new[] { first.Id }));
            Assert.That(found[0].Metadata["by"]!.GetValue<string>(), Is.EqualTo("late"), "the later save updates the unit");
        }
    }

    [Test]
    public async Task AssociatingAUnitThatIsNotStored_FailsTheWork()
    {
        var repository = await CreateAsync("r");
        using var work = new UnitOfWork();
        work.Associate(repository.Id, Blob("b1", 1) with { Id = "never-saved" });
        Assert.That(async () => await work.CommitAsync(Work, None), Throws.TypeOf<InvalidOperationException>());
        Assert.That(await Units.SearchAsync(repository.Id, new UnitCriteria(null, 0, null), None), Is.Empty);
    }
}
