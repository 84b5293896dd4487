using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Events;
using Berth.Server.Importers;
using Berth.Server.Orphans;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using Berth.Server.Scheduling;
using Berth.Server.TagHistory;
using Berth.Server.Tasks;
using Berth.Server.Testing;
using Berth.Server.Units;
using Berth.Server.Uploads;
using Microsoft.Extensions.Options;

namespace Berth.Server.Storage.LiteDb;

/// <summary>The embedded default: every store in one LiteDB file in the data folder.</summary>
public static class LiteDbServices
{
    public static IServiceCollection AddLiteDbMetadata(this IServiceCollection services)
    {
        services.AddSingleton(sp => new LiteDbDatabase(
            sp.GetRequiredService<DataLayout>().Database,
            sp.GetRequiredService<IOptions<BerthOptions>>().Value.Testing.HoldableFlushes ? sp.GetRequiredService<FlushHold>() : null));
        services.AddSingleton<IMetadataDatabase>(sp => sp.GetRequiredService<LiteDbDatabase>());
        services.AddSingleton<ILeadership, SoleLeadership>();
        services.AddSingleton<IRepositoryStore, LiteDbRepositoryStore>();
        services.AddSingleton<IImporterRegistrationStore, LiteDbImporterRegistrationStore>();
        services.AddSingleton<IUnitStore, LiteDbUnitStore>();
        services.AddSingleton<IUnitUserMetadataStore, LiteDbUnitUserMetadataStore>();
        services.AddSingleton<IUnitOfWorkStore, LiteDbUnitOfWorkStore>();
        services.AddSingleton<LiteDbEventStore>();
        services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<LiteDbEventStore>());
        services.AddSingleton<IUploadRequestStore, LiteDbUploadRequestStore>();
        services.AddSingleton<IUserStore, LiteDbUserStore>();
        services.AddSingleton<ISignedOutSessionStore, LiteDbSignedOutSessionStore>();
        services.AddSingleton<ITagHistoryStore, LiteDbTagHistoryStore>();
        services.AddSingleton<IOrphanStore, LiteDbOrphanStore>();
        services.AddSingleton<IRetentionPolicyStore, LiteDbRetentionPolicyStore>();
        services.AddSingleton<ITaskStore, LiteDbTaskStore>();
        services.AddSingleton<Berth.Server.Sync.ISyncScheduleStore, LiteDbSyncScheduleStore>();
        return services;
    }
}
