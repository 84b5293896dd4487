using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Content;
using Berth.Server.Importers;
using Berth.Server.Imports;
using Berth.Server.Orphans;
using Berth.Server.Plugins;
using Berth.Server.Promotion;
using Berth.Server.Registry;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using Berth.Server.Storage;
using Berth.Server.Storage.LiteDb;
using Berth.Server.TagHistory;
using Berth.Server.Units;
using Berth.Server.Uploads;
using Berth.Server.Verification;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Berth.Server;

/// <summary>How the server is put together: stores, plugin catalog and services.</summary>
public static class BerthServices
{
    public static IServiceCollection AddBerth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BerthOptions>()
            .Bind(configuration.GetSection(BerthOptions.Section))
            .PostConfigure(berth => FoldFormerManifestLimit(berth, configuration))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BerthOptions>, ImportLimitValidation>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<BerthOptions>>((kestrel, berth) =>
        {
            var clients = berth.Value.Clients;
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(clients.MinRequestBodyBytesPerSecond, clients.DataRateGracePeriod);
            kestrel.Limits.MinResponseDataRate = new MinDataRate(clients.MinResponseBytesPerSecond, clients.DataRateGracePeriod);
            kestrel.Limits.RequestHeadersTimeout = clients.RequestHeadersTimeout;
        });
        services.AddSingleton(TimeProvider.System);

        // Prepared when first needed, before anything can open a file in it: hosted services are created before
        // any of them starts.
        services.AddSingleton(sp =>
        {
            var layout = new DataLayout(sp.GetRequiredService<IOptions<BerthOptions>>().Value.DataDir);
            layout.Prepare();
            return layout;
        });
        services.AddSingleton(sp => new PluginCatalog(
            ImporterPluginLoader.LoadAll(sp.GetRequiredService<IOptions<BerthOptions>>().Value.ResolvedPluginsConfDir, AppContext.BaseDirectory)));

        // The embedded default backend; another backend would register its own implementations of these interfaces.
        services.AddSingleton(sp => new LiteDbDatabase(sp.GetRequiredService<DataLayout>().Database));
        services.AddSingleton<IRepositoryStore, LiteDbRepositoryStore>();
        services.AddSingleton<IImporterRegistrationStore, LiteDbImporterRegistrationStore>();
        services.AddSingleton<IUnitStore, LiteDbUnitStore>();
        services.AddSingleton<IUploadRequestStore, LiteDbUploadRequestStore>();
        services.AddSingleton<IUserStore, LiteDbUserStore>();
        services.AddSingleton<ITagHistoryStore, LiteDbTagHistoryStore>();
        services.AddSingleton<TagHistoryRecorder>();
        services.AddHttpContextAccessor();
        services.AddSingleton<IContentStore, FileSystemContentStore>();
        services.AddSingleton<ContentCache>();

        services.AddSingleton<RepositoryService>();
        services.AddSingleton<ImporterService>();
        services.AddSingleton<UploadService>();
        services.AddSingleton<ImportService>();
        services.AddSingleton<ImportMemoryBudget>();
        services.AddSingleton(sp => new TokenSigner(sp.GetRequiredService<DataLayout>().TokenSigningKey));
        services.AddSingleton(sp => new LoginThrottle(
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<BerthOptions>>().Value.Auth.MaxFailedSignInsPerMinute));
        services.AddSingleton<Authenticator>();
        services.AddSingleton<AccessControl>();
        services.AddSingleton<Audit>();
        services.AddSingleton<UserService>();
        services.AddSingleton<ContentVerifier>();
        services.AddSingleton<PromotionService>();
        services.AddSingleton<RemovalService>();
        services.AddSingleton<ReferenceGuard>();
        services.AddSingleton<IOrphanStore, LiteDbOrphanStore>();
        services.AddSingleton<OrphanCollector>();
        services.AddSingleton<IRetentionPolicyStore, LiteDbRetentionPolicyStore>();
        services.AddSingleton<RetentionService>();

        services.AddSingleton<RegistryRepositories>();
        services.AddSingleton<RepositoryContent>();
        services.AddSingleton<BlobUploadHandler>();
        services.AddSingleton<BlobHandler>();
        services.AddSingleton<ManifestHandler>();
        services.AddSingleton<TagHandler>();
        services.AddSingleton<ReferrerHandler>();
        services.AddSingleton<CatalogHandler>();

        services.AddHostedService<StartupPreparation>();
        services.AddHostedService<AbandonedUploadPurge>();
        services.AddHostedService<RetentionSchedule>();
        services.AddHostedService<OrphanSchedule>();
        return services;
    }

    /// <summary>
    /// <c>Berth:MaxManifestBytes</c>, the registry's manifest limit before there was one ceiling for every document,
    /// still sets <c>Berth:Imports:MaxDocumentBytes</c> when that is not set itself.
    /// </summary>
    private static void FoldFormerManifestLimit(BerthOptions berth, IConfiguration configuration)
    {
        var section = configuration.GetSection(BerthOptions.Section);
        if (section[$"{ImportLimitOptions.Section}:{nameof(ImportLimitOptions.MaxDocumentBytes)}"] is null &&
            section.GetValue<long?>("MaxManifestBytes") is { } former)
        {
            berth.Imports.MaxDocumentBytes = former;
        }
    }
}
