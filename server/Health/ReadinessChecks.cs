using Berth.Server.Content;
using Berth.Server.Hosting;
using Berth.Server.Plugins;
using Berth.Server.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Berth.Server.Health;

/// <summary>
/// What <c>/readyz</c> asks. The stores are looked at only once start-up has opened the data folder: resolving them
/// earlier would open it before the server listens (see <see cref="StartupGate"/>).
/// </summary>
internal static class ReadinessChecks
{
    private const string Starting = "not open yet: the server is starting";

    public static IHealthChecksBuilder AddBerthReadiness(this IHealthChecksBuilder checks) => checks
        .AddReadiness("started", sp => Started(sp)
            ? HealthCheckResult.Healthy("the data folder is open")
            : HealthCheckResult.Unhealthy("starting: the data folder is not open yet"))
        .AddReadiness("metadata_store", sp => !Started(sp)
            ? HealthCheckResult.Unhealthy(Starting)
            : sp.GetRequiredService<IMetadataDatabase>().IsConnected()
                ? HealthCheckResult.Healthy("answers")
                : HealthCheckResult.Unhealthy("does not answer a read: see the server's log"))
        .AddReadiness("content_store", ContentStoreAsync)
        .AddReadiness("plugins", sp => sp.GetRequiredService<PluginCatalog>().Importers.Count is var count and > 0
            ? HealthCheckResult.Healthy($"{count} importer(s) loaded")
            : HealthCheckResult.Unhealthy("no importer plugin is loaded: check --plugins-conf-dir"));

    private static async Task<HealthCheckResult> ContentStoreAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!Started(services))
        {
            return HealthCheckResult.Unhealthy(Starting);
        }

        var probe = await services.GetRequiredService<IContentStore>().ProbeAsync(cancellationToken);

        // The answer is open to anyone and names no address; the detail that does goes only to the log (ReadinessLog).
        return probe.Writable
            ? HealthCheckResult.Healthy("writable")
            : HealthCheckResult.Unhealthy(probe.Problem, data: probe.Detail is { } detail ? new Dictionary<string, object> { [ReadinessLog.Detail] = detail } : null);
    }

    private static bool Started(IServiceProvider services) => services.GetRequiredService<StartupGate>().IsOpen;

    private static IHealthChecksBuilder AddReadiness(this IHealthChecksBuilder checks, string name, Func<IServiceProvider, HealthCheckResult> check) =>
        checks.AddReadiness(name, (services, _) => Task.FromResult(check(services)));

    private static IHealthChecksBuilder AddReadiness(
        this IHealthChecksBuilder checks, string name, Func<IServiceProvider, CancellationToken, Task<HealthCheckResult>> check) =>
        checks.Add(new HealthCheckRegistration(name, services => new Check(cancellationToken => check(services, cancellationToken)), HealthStatus.Unhealthy, [HealthEndpoints.Readiness]));

    private sealed class Check(Func<CancellationToken, Task<HealthCheckResult>> check) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) => check(cancellationToken);
    }
}
