using Berth.Server.Plugins;
using Berth.Server.Storage;
using Berth.Server.Storage.LiteDb;
using Berth.Server.Uploads;

namespace Berth.Server;

/// <summary>
/// Runs before the server listens: takes the data folder (see <see cref="DataLayout.Prepare"/>), loads the
/// plugins and opens the database, so that a broken plugin file or data folder stops start-up with a clear
/// message instead of failing the first request.
/// </summary>
internal sealed class StartupPreparation(IServiceProvider services, ILogger<StartupPreparation> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var layout = services.GetRequiredService<DataLayout>();
        var catalog = services.GetRequiredService<PluginCatalog>();
        foreach (var importer in catalog.Importers)
        {
            logger.LogInformation("Loaded importer {Id} ({Types}) from {Assembly}", importer.Id, string.Join(", ", importer.Metadata.Types.Select(t => t.Id)), importer.Conf.AssemblyPath);
        }

        _ = services.GetRequiredService<LiteDbDatabase>();
        await services.GetRequiredService<UploadService>().RecoverAsync(cancellationToken);
        logger.LogInformation("Data in {DataDir}", layout.Root);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
