using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Docker.SyncImporter;

/// <summary>
/// How far one sync is, counted from several downloads at once and reported whole after each change: tags, manifests and
/// blobs done and skipped (already present), bytes downloaded and the current rate.
/// </summary>
internal sealed class SyncProgress(IProgress<JsonObject> sink)
{
    /// <summary>For downloads that report to nobody (a pull-through cache's blob).</summary>
    public static SyncProgress None { get; } = new(new Progress<JsonObject>());

    private readonly Lock _lock = new();
    private readonly long _started = Stopwatch.GetTimestamp();
    private string _step = "listing tags";
    private long _tagsTotal;
    private long _tagsDone;
    private long _tagsSkipped;
    private long _manifestsDone;
    private long _manifestsSkipped;
    private long _blobsDone;
    private long _blobsSkipped;
    private long _bytes;
    private long _lastReported = Stopwatch.GetTimestamp();

    public long ManifestsDone => Interlocked.Read(ref _manifestsDone);

    public long BlobsDownloaded => Interlocked.Read(ref _blobsDone);

    public long BlobsSkipped => Interlocked.Read(ref _blobsSkipped);

    public long Bytes => Interlocked.Read(ref _bytes);

    public void Step(string step, long? tagsTotal = null)
    {
        lock (_lock)
        {
            _step = step;
            _tagsTotal = tagsTotal ?? _tagsTotal;
        }

        Report();
    }

    public void TagDone() => Count(ref _tagsDone);

    public void TagSkipped() => Count(ref _tagsSkipped);

    public void ManifestDone() => Count(ref _manifestsDone);

    public void ManifestSkipped() => Count(ref _manifestsSkipped);

    public void BlobDone() => Count(ref _blobsDone);

    public void BlobSkipped() => Count(ref _blobsSkipped);

    /// <summary>Bytes arrived; reported at most about four times a second, not per read.</summary>
    public void Downloaded(long bytes)
    {
        Interlocked.Add(ref _bytes, bytes);
        var last = Interlocked.Read(ref _lastReported);
        if (Stopwatch.GetElapsedTime(last) >= TimeSpan.FromMilliseconds(250) && Interlocked.CompareExchange(ref _lastReported, Stopwatch.GetTimestamp(), last) == last)
        {
            Report();
        }
    }

    public void Report()
    {
        var seconds = Math.Max(Stopwatch.GetElapsedTime(_started).TotalSeconds, 0.001);
        JsonObject snapshot;
        lock (_lock)
        {
            snapshot = new JsonObject
            {
                ["step"] = _step,
                ["tags"] = Counts(_tagsTotal, _tagsDone, _tagsSkipped),
                ["manifests"] = Counts(null, ManifestsDone, Interlocked.Read(ref _manifestsSkipped)),
                ["blobs"] = Counts(null, BlobsDownloaded, BlobsSkipped),
                ["bytes"] = Bytes,
                ["bytes_per_second"] = (long)(Bytes / seconds),
            };
        }

        sink.Report(snapshot);
    }

    private void Count(ref long counter)
    {
        Interlocked.Increment(ref counter);
        Report();
    }

    private static JsonObject Counts(long? total, long done, long skipped)
    {
        var counts = new JsonObject { ["done"] = done, ["skipped"] = skipped };
        if (total is { } t)
        {
            counts["total"] = t;
        }

        return counts;
    }
}
