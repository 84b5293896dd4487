using System.Diagnostics.Metrics;
using Berth.Server.Hosting;
using Berth.Server.Storage;
using Berth.Server.Uploads;

namespace Berth.Server.Diagnostics;

/// <summary>
/// The gauges of the meter <see cref="ServerMetrics.MeterName"/>, read when a listener asks (a scrape): they look at
/// services that open the data folder, so they are made with the host's meter factory (gone with the host) and
/// measure nothing until start-up has opened it.
/// </summary>
public sealed class ServerGauges : IDisposable
{
    private readonly Meter _meter;

    public ServerGauges(IMeterFactory meters, StartupGate gate, Deferred<UploadService> uploads, Deferred<IMetadataDatabase> database)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(ServerMetrics.MeterName);
        _meter.CreateObservableGauge(
            "berth.uploads.open",
            () => gate.IsOpen ? [new Measurement<int>(uploads.Value.OpenUploads)] : Array.Empty<Measurement<int>>(),
            "{upload}",
            "Uploads and registry upload sessions open (created, not yet imported, completed, cancelled or purged).");
        _meter.CreateObservableGauge(
            "berth.store.queue",
            () => gate.IsOpen ? [new Measurement<int>(database.Value.WritersWaiting)] : Array.Empty<Measurement<int>>(),
            "{write}",
            "Metadata writes queued and not yet taken into a transaction by the store's one writer.");
    }

    public void Dispose() => _meter.Dispose();
}
