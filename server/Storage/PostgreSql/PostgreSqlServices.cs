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
using Berth.Server.Units;
using Berth.Server.Uploads;
using Microsoft.Extensions.Options;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>Every store in a PostgreSQL database (<c>Berth:Metadata:Provider</c> = <c>PostgreSql</c>), which several servers may share.</summary>
public static class PostgreSqlServices
{
    public static IServiceCollection AddPostgreSqlMetadata(this IServiceCollection services)
    {
        services.AddSingleton(sp => new PostgreSqlDatabase(
            sp.GetRequiredService<IOptions<BerthOptions>>().Value.Metadata.ConnectionString!,
            sp.GetRequiredService<ILogger<PostgreSqlDatabase>>()));
        services.AddSingleton<IMetadataDatabase>(sp => sp.GetRequiredService<PostgreSqlDatabase>());
        services.AddSingleton<IRepositoryStore, PostgreSqlRepositoryStore>();
        services.AddSingleton<IImporterRegistrationStore, PostgreSqlImporterRegistrationStore>();
        services.AddSingleton<IUnitStore, PostgreSqlUnitStore>();
        services.AddSingleton<IUnitUserMetadataStore, PostgreSqlUnitUserMetadataStore>();
        services.AddSingleton<IUnitOfWorkStore, PostgreSqlUnitOfWorkStore>();
        services.AddSingleton<IEventStore, PostgreSqlEventStore>();
        services.AddSingleton<IUploadRequestStore, PostgreSqlUploadRequestStore>();
        services.AddSingleton<IUploadLimitStore, PostgreSqlUploadLimitStore>();
        services.AddSingleton<IUserStore, PostgreSqlUserStore>();
        services.AddSingleton<ISignedOutSessionStore, PostgreSqlSignedOutSessionStore>();
        services.AddSingleton<ITagHistoryStore, PostgreSqlTagHistoryStore>();
        services.AddSingleton<IOrphanStore, PostgreSqlOrphanStore>();
        services.AddSingleton<IRetentionPolicyStore, PostgreSqlRetentionPolicyStore>();
        services.AddSingleton<ITaskStore, PostgreSqlTaskStore>();
        services.AddSingleton<Berth.Server.Sync.ISyncScheduleStore, PostgreSqlSyncScheduleStore>();
        services.AddSingleton<ISignInFailureFeed, PostgreSqlSignInFailureFeed>();
        services.AddSingleton<PostgreSqlLeadership>();
        services.AddSingleton<ILeadership>(sp => sp.GetRequiredService<PostgreSqlLeadership>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgreSqlLeadership>());
        return services;
    }
}
