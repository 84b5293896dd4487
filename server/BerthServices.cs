using Berth.Server.Access;
using Berth.Server.Clients;
using Berth.Server.Configuration;
using Berth.Server.Content;
using Berth.Server.Diagnostics;
using Berth.Server.Events;
using Berth.Server.Health;
using Berth.Server.Hosting;
using Berth.Server.Importers;
using Berth.Server.Imports;
using Berth.Server.Logging;
using Berth.Server.Membership;
using Berth.Server.OpenApi;
using Berth.Server.Orphans;
using Berth.Server.Plugins;
using Berth.Server.Promotion;
using Berth.Server.PullThrough;
using Berth.Server.Registry;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using Berth.Server.Storage;
using Berth.Server.Storage.LiteDb;
using Berth.Server.Storage.PostgreSql;
using Berth.Server.Sync;
using Berth.Server.TagHistory;
using Berth.Server.Tasks;
using Berth.Server.Testing;
using Berth.Server.Ui;
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
        // Every logger, the framework's too, comes from a factory that escapes what it writes (issue 18, finding 7).
        services.AddEscapedLogs();
        services.AddQuietHostStartFailure();
        services.AddOptions<BerthOptions>()
            .Bind(configuration.GetSection(BerthOptions.Section))
            .PostConfigure(berth => FoldFormerManifestLimit(berth, configuration))
            .Validate(o => o.MaxPageSize >= 1, $"{BerthOptions.Section}:{nameof(BerthOptions.MaxPageSize)} must be at least 1")
            .Validate(o => o.Auth.MaxFailedSignInsPerMinute >= 1, $"{BerthOptions.Section}:Auth:{nameof(AuthOptions.MaxFailedSignInsPerMinute)} must be at least 1")
            .Validate(
                o => o.Auth.MaxFailedSignInsPerAddressPerMinute >= 1,
                $"{BerthOptions.Section}:Auth:{nameof(AuthOptions.MaxFailedSignInsPerAddressPerMinute)} must be at least 1")
            .Validate(
                o => MetricsOptions.IsServable(o.Metrics.Path),
                $"{BerthOptions.Section}:Metrics:{nameof(MetricsOptions.Path)} must start with / and lie outside /v2, /token and {ContentApi.Root}")
            .Validate(o => o.ShutdownTimeout >= TimeSpan.Zero, $"{BerthOptions.Section}:{nameof(BerthOptions.ShutdownTimeout)} must not be negative")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BerthOptions>, ImportLimitValidation>();
        services.AddSingleton<IValidateOptions<BerthOptions>, NotificationValidation>();
        services.AddSingleton<IValidateOptions<BerthOptions>, PullThroughValidation>();
        services.AddSingleton<IValidateOptions<BerthOptions>, MetadataValidation>();
        services.AddSingleton<IValidateOptions<BerthOptions>, ContentValidation>();
        services.AddSingleton<IValidateOptions<BerthOptions>, ClientValidation>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddSingleton(sp => new ConnectionLimiter(
            ConnectionLimits.From(sp.GetRequiredService<IOptions<BerthOptions>>().Value.Clients, NativeFiles.DescriptorLimit()),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ConnectionLimiter>>()));
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<BerthOptions>, ConnectionLimiter>((kestrel, berth, limiter) =>
        {
            var clients = berth.Value.Clients;
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(clients.MinRequestBodyBytesPerSecond, clients.DataRateGracePeriod);
            kestrel.Limits.MinResponseDataRate = new MinDataRate(clients.MinResponseBytesPerSecond, clients.DataRateGracePeriod);
            kestrel.Limits.RequestHeadersTimeout = clients.RequestHeadersTimeout;

            // Counted by the connection cap: each stream may hold a file open (an HTTP/2 client is otherwise allowed 100).
            kestrel.Limits.Http2.MaxStreamsPerConnection = Math.Max(1, clients.MaxStreamsPerConnection);

            // Endpoint defaults reach every endpoint, from --urls and from the Kestrel section alike.
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(limiter.Limit));
        });
        services.AddOptions<HostOptions>().Configure<IOptions<BerthOptions>>((host, berth) => host.ShutdownTimeout = berth.Value.ShutdownTimeout);
        services.AddSingleton<StartupGate>();
        services.AddHealthChecks().AddBerthReadiness();
        services.AddSingleton<ReadinessLog>();

        // Each failed check would be logged as an error at every probe: ReadinessLog says it once, when readiness changes.
        services.AddLogging(logging => logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical));
        services.AddMetricsExport();
        services.AddApiDocument();
        services.AddSingleton(typeof(Deferred<>));
        services.AddSingleton<RequestsInFlight>();
        services.AddSingleton(sp => ManualClock.Choose(
            sp.GetRequiredService<IOptions<BerthOptions>>().Value.Testing, sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ManualClock))));

        // Prepared when first needed, which is once the server listens (StartupPreparation): nothing made before then
        // (hosted services are made before any starts) may hold what opens the data folder, but through Deferred<T>.
        services.AddSingleton(sp =>
        {
            var layout = new DataLayout(sp.GetRequiredService<IOptions<BerthOptions>>().Value.DataDir);
            layout.Prepare();
            return layout;
        });
        services.AddSingleton(sp => new PluginCatalog(
            ImporterPluginLoader.LoadAll(sp.GetRequiredService<IOptions<BerthOptions>>().Value.ResolvedPluginsConfDir, AppContext.BaseDirectory)));

        services.AddSingleton<FlushHold>();

        // The metadata store chosen by Berth:Metadata:Provider: each backend registers its implementations of the stores.
        var sharedMetadata = configuration.GetSection(BerthOptions.Section).GetSection("Metadata").Get<MetadataOptions>() is { Provider: MetadataProvider.PostgreSql };
        if (sharedMetadata)
        {
            services.AddPostgreSqlMetadata();
        }
        else
        {
            services.AddLiteDbMetadata();
        }

        services.AddSingleton<EventAnnouncer>();
        services.AddSingleton<MetricTotals>();
        services.AddSingleton<RequestLog>();
        services.AddSingleton<RequestActivities>();
        services.AddSingleton<ServerGauges>();
        services.AddSingleton<TagHistoryRecorder>();
        services.AddHttpContextAccessor();
        var contentProvider = configuration.GetSection(BerthOptions.Section).GetSection("Content").Get<ContentOptions>()?.Provider ?? ContentProvider.FileSystem;
        services.AddContentStore(contentProvider);

        // Servers share work only on a shared database and bucket (a data folder is one server's: see DataLayout's lock);
        // then each guards what its work references against the others' collection too.
        if (sharedMetadata && contentProvider == ContentProvider.S3)
        {
            services.AddSingleton<IGuardLocks, PostgreSqlGuardLocks>();
        }
        services.AddSingleton<ContentCache>();

        services.AddSingleton<RepositoryService>();
        services.AddSingleton<RepositoryUpdate>();
        services.AddSingleton<ImporterService>();
        services.AddSingleton<UploadService>();
        services.AddSingleton<ImportService>();
        services.AddSingleton<SyncService>();
        services.AddSingleton<SyncScheduleService>();
        services.AddSingleton<TaskRunner>();
        services.AddSingleton<ImportMemoryBudget>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BerthOptions>>().Value.Auth.TokenSigningKeyFile is { Length: > 0 } shared
            ? TokenSigner.Shared(shared)
            : new TokenSigner(sp.GetRequiredService<DataLayout>().TokenSigningKey));
        services.AddSingleton(sp => new SessionIds(sp.GetRequiredService<TokenSigner>().DeriveKey("berth upload session")));
        services.AddSingleton(sp =>
        {
            var auth = sp.GetRequiredService<IOptions<BerthOptions>>().Value.Auth;
            return new LoginThrottle(
                sp.GetRequiredService<TimeProvider>(), auth.MaxFailedSignInsPerMinute, auth.MaxFailedSignInsPerAddressPerMinute, sp.GetService<ISignInFailureFeed>());
        });
        services.AddSingleton<Authenticator>();
        services.AddSingleton<TokenRealm>();
        services.AddSingleton<AccessControl>();
        services.AddSingleton<Audit>();
        services.AddSingleton<UserService>();
        services.AddSingleton<ContentVerifier>();
        services.AddSingleton<PromotionService>();
        services.AddSingleton<MembershipService>();
        services.AddSingleton<MemberRemoval>();
        services.AddSingleton<UnitTypes>();
        services.AddSingleton<TagRollback>();
        services.AddSingleton(sp => new ReferenceGuard(sp.GetService<IGuardLocks>()));
        services.AddSingleton<OrphanCollector>();
        services.AddSingleton<RetentionService>();

        services.AddSingleton<FeedDownloads>();
        services.AddSingleton<PullThroughService>();
        services.AddSingleton<PullThroughPrefixes>();
        services.AddSingleton<RegistryRepositories>();
        services.AddSingleton<RepositoryContent>();
        services.AddSingleton<BlobUploadHandler>();
        services.AddSingleton<BlobHandler>();
        services.AddSingleton<ManifestHandler>();
        services.AddSingleton<TagHandler>();
        services.AddSingleton<ReferrerHandler>();
        services.AddSingleton<CatalogHandler>();
        services.AddBerthUi();

        services.AddHostedService<StartupPreparation>();
        services.AddHostedService(sp => sp.GetRequiredService<RequestsInFlight>());
        services.AddHostedService<AbandonedUploadPurge>();
        services.AddHostedService<RetentionSchedule>();
        services.AddHostedService<OrphanSchedule>();
        services.AddHostedService<EventDelivery>();
        services.AddHostedService(sp => sp.GetRequiredService<TaskRunner>());
        services.AddHostedService<SyncScheduleRunner>();
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
            berth.MaxManifestBytes is { } former)
        {
            berth.Imports.MaxDocumentBytes = former;
        }
    }
}
