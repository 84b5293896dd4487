using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Berth.Server.Diagnostics;

/// <summary>
/// Running totals of the server's instruments (see <see cref="ServerMetrics"/>) since the start: for each, how many
/// measurements and their sum. A benchmark reads them before and after a run; the difference is what the run cost.
/// </summary>
public sealed class MetricTotals : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, Total> _totals = new(StringComparer.Ordinal);

    public MetricTotals()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Gauges (ServerGauges) are read, not summed.
            if (instrument.Meter.Name == ServerMetrics.MeterName && !instrument.IsObservable)
            {
                _totals.TryAdd(instrument.Name, new Total(instrument.Unit));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => _totals[instrument.Name].Add(value));
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals[instrument.Name].Add(value));
        _listener.Start();
    }

    /// <summary>Every instrument's count and sum, by name.</summary>
    public IReadOnlyDictionary<string, MetricTotal> Snapshot() =>
        _totals.OrderBy(t => t.Key, StringComparer.Ordinal).ToDictionary(t => t.Key, t => t.Value.Read(), StringComparer.Ordinal);

    public void Dispose() => _listener.Dispose();

    // Lock-free: every request adds to some total, and the registry's GETs run at tens of thousands a second.
    private sealed class Total(string? unit)
    {
        private long _count;
        private double _sum;

        public void Add(double value)
        {
            Interlocked.Increment(ref _count);
            var sum = Volatile.Read(ref _sum);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref _sum, sum + value, sum);
                if (seen.Equals(sum))
                {
                    return;
                }

                sum = seen;
            }
        }

        // The two are read apart: a snapshot taken while measurements arrive may hold one more in either.
        public MetricTotal Read() => new(Interlocked.Read(ref _count), Volatile.Read(ref _sum), unit);
    }
}
