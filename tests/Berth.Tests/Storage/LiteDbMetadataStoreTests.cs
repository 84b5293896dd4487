using Berth.Server.Storage.LiteDb;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Storage;

[TestFixture]
public sealed class LiteDbMetadataStoreTests : MetadataStoreContract
{
    private TempFolder _folder = null!;
    private LiteDbDatabase _database = null!;

    [SetUp]
    public void OpenFreshStores()
    {
        _folder = new TempFolder();
        Open();
    }

    protected override Task ReopenAsync()
    {
        _database.Dispose();
        Open();
        return Task.CompletedTask;
    }

    [TearDown]
    public void CloseStores()
    {
        _database.Dispose();
        _folder.Dispose();
    }

    private void Open()
    {
        _database = new LiteDbDatabase(_folder.Combine("berth.db"));
        Repositories = new LiteDbRepositoryStore(_database, Clock);
        Importers = new LiteDbImporterRegistrationStore(_database);
        Units = new LiteDbUnitStore(_database, Clock);
        UserMetadata = new LiteDbUnitUserMetadataStore(_database);
        Uploads = new LiteDbUploadRequestStore(_database);
        TagHistory = new LiteDbTagHistoryStore(_database);
        var events = new LiteDbEventStore(_database);
        Work = new LiteDbUnitOfWorkStore(_database, events, Clock);
        Events = events;
        Users = new LiteDbUserStore(_database);
        SignedOutSessions = new LiteDbSignedOutSessionStore(_database);
        RetentionPolicies = new LiteDbRetentionPolicyStore(_database);
        Orphans = new LiteDbOrphanStore(_database);
        Tasks = new LiteDbTaskStore(_database);
        SyncSchedules = new LiteDbSyncScheduleStore(_database);
    }
}
