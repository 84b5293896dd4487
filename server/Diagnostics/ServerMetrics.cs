using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Berth.Server.Diagnostics;

/// <summary>
/// The server's own instruments (<see cref="System.Diagnostics.Metrics"/>): where the time of a push goes, how many
/// metadata reads a request makes, what the APIs and the lifecycle did. Durations are in milliseconds, everywhere.
/// <see cref="MetricTotals"/> sums them for the status API and the benchmarks; <c>GET /metrics</c> exports them (see
/// <see cref="MetricsExport"/>), and any other listener of the meter <see cref="MeterName"/> (dotnet-counters) sees them
/// too. The gauges, which read the stores, are <see cref="ServerGauges"/>.
/// </summary>
public static class ServerMetrics
{
    public const string MeterName = "Berth";

    private static readonly Meter Meter = new(MeterName);

    public static Histogram<double> StoreWriteWait { get; } =
        Meter.CreateHistogram<double>("berth.store.write.wait", "ms", "Time a metadata write waited for the writer to take it into a transaction.");

    public static Histogram<double> StoreTransaction { get; } =
        Meter.CreateHistogram<double>("berth.store.transaction", "ms", "Time of one metadata transaction, its commit included; concurrent writes share one.");

    public static Counter<long> StoreWrites { get; } =
        Meter.CreateCounter<long>("berth.store.writes", "{write}", "Metadata writes committed.");

    public static Histogram<double> StoreDurableWait { get; } =
        Meter.CreateHistogram<double>("berth.store.write.durable", "ms", "Time a committed metadata write waited for the flush that made it durable.");

    public static Histogram<double> StoreFlush { get; } =
        Meter.CreateHistogram<double>("berth.store.flush", "ms", "Time of one metadata flush; each covers every write committed before it began.");

    public static Counter<long> StoreReads { get; } =
        Meter.CreateCounter<long>("berth.store.reads", "{read}", "Metadata store reads (queries).");

    public static Histogram<double> FileSync { get; } =
        Meter.CreateHistogram<double>("berth.file.sync", "ms", "Time making a file or a folder durable (fsync).");

    public static Histogram<double> Hashing { get; } =
        Meter.CreateHistogram<double>("berth.content.hash", "ms", "Time hashing stored or uploaded bytes again (an upload's running hash is free).");

    public static Histogram<double> UploadSegment { get; } =
        Meter.CreateHistogram<double>("berth.upload.segment", "ms", "Time receiving, hashing and writing one upload segment, its fsync included.");

    public static Histogram<double> UploadCatchUp { get; } =
        Meter.CreateHistogram<double>("berth.upload.catch_up", "ms", "Time a server took to read the parts other servers added to an upload it continues (uploads in the bucket).");

    public static Counter<long> UploadCatchUpBytes { get; } =
        Meter.CreateCounter<long>("berth.upload.catch_up.bytes", "By", "Bytes of uploads' parts read back from the bucket by a server continuing an upload another server took.");

    public static Histogram<double> Import { get; } =
        Meter.CreateHistogram<double>("berth.import", "ms", "Time of one import through an importer, its commit included.");

    public static Counter<long> Requests { get; } =
        Meter.CreateCounter<long>("berth.http.requests", "{request}", "HTTP requests answered.");

    /// <summary>Tagged by API, route template, method and status (<see cref="RequestMetrics"/>); its count is the request count.</summary>
    public static Histogram<double> RequestDuration { get; } =
        Meter.CreateHistogram(
            "berth.http.server.request.duration",
            "ms",
            "Time from a request's arrival (past start-up) to the end of its response, by API, route template, method and status.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000] });

    public static Counter<long> BytesReceived { get; } =
        Meter.CreateCounter<long>("berth.http.received", "By", "Request body bytes received, counted as they are read.");

    public static Counter<long> BytesSent { get; } =
        Meter.CreateCounter<long>("berth.http.sent", "By", "Response body bytes sent, counted as they are written; HEAD answers send none.");

    public static Counter<long> Pushes { get; } =
        Meter.CreateCounter<long>("berth.registry.pushes", "{manifest}", "Manifests stored by a registry PUT (an image or index pushed, under a tag or a digest).");

    public static Counter<long> Pulls { get; } =
        Meter.CreateCounter<long>("berth.registry.pulls", "{manifest}", "Manifests served by a registry GET (HEAD, which only checks, is not counted).");

    /// <summary>Tagged by unit type id (<c>unit_type</c>) and <see cref="ImportOutcome"/> (<c>outcome</c>).</summary>
    public static Counter<long> Imports { get; } =
        Meter.CreateCounter<long>("berth.imports", "{import}", "Imports through an importer, by unit type id and outcome; a unit found inside another counts with the outer import.");

    public static Counter<long> OrphanCollections { get; } =
        Meter.CreateCounter<long>("berth.orphans.collections", "{run}", "Orphan collections run to the end, asked for or scheduled.");

    /// <summary>Tagged by unit type id.</summary>
    public static Counter<long> OrphanUnitsRemoved { get; } =
        Meter.CreateCounter<long>("berth.orphans.units.removed", "{unit}", "Units orphan collection deleted, by unit type id.");

    public static Counter<long> OrphanBytesFreed { get; } =
        Meter.CreateCounter<long>("berth.orphans.freed", "By", "Bytes of content files orphan collection deleted.");

    public static Counter<long> RetentionRuns { get; } =
        Meter.CreateCounter<long>("berth.retention.runs", "{run}", "Retention policies applied to a repository (not dry runs), asked for or scheduled.");

    public static Counter<long> RetentionUnitsRemoved { get; } =
        Meter.CreateCounter<long>("berth.retention.units.removed", "{unit}", "Units retention removed from repositories.");

    /// <summary>Tagged by operation (<see cref="Content.TimedContentStore"/>).</summary>
    public static Histogram<double> ContentOperation { get; } =
        Meter.CreateHistogram<double>("berth.content.operation", "ms", "Time of one content-store operation, by operation: size, import, put, open, delete.");

    /// <summary>Records the time since <paramref name="started"/> (a <see cref="Stopwatch.GetTimestamp"/>) in <paramref name="histogram"/>.</summary>
    public static void RecordSince(this Histogram<double> histogram, long started)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        histogram.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
