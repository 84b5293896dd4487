using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Berth.Server.Diagnostics;

/// <summary>
/// The server's own instruments (<see cref="System.Diagnostics.Metrics"/>): where the time of a push goes, and how many
/// metadata reads a request makes. Durations are in milliseconds. <see cref="MetricTotals"/> sums them for the status API
/// and the benchmarks; any listener of the meter <see cref="MeterName"/> (dotnet-counters, an exporter) sees them too.
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

    public static Histogram<double> Import { get; } =
        Meter.CreateHistogram<double>("berth.import", "ms", "Time of one import through an importer, its commit included.");

    public static Counter<long> Requests { get; } =
        Meter.CreateCounter<long>("berth.http.requests", "{request}", "HTTP requests answered.");

    /// <summary>Records the time since <paramref name="started"/> (a <see cref="Stopwatch.GetTimestamp"/>) in <paramref name="histogram"/>.</summary>
    public static void RecordSince(this Histogram<double> histogram, long started)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        histogram.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
