using System.Diagnostics;
using Berth.Server.Configuration;
using Berth.Server.Content;
using Berth.Server.Diagnostics;
using Berth.Server.Events;
using Microsoft.Extensions.Options;

namespace Berth.Server.Orphans;

/// <summary>
/// Deletes units that are in no repository, and the content files no unit names any more, while the server goes
/// on serving. Three things keep it from deleting what something is about to use:
/// <list type="bullet">
/// <item>a grace period: a unit is collected only once it has been an orphan (and untouched by imports) for
/// <see cref="LifecycleOptions.OrphanGracePeriod"/>, so a client that saw it a moment ago can still reference it;</item>
/// <item>the <see cref="ReferenceGuard"/>: imports, promotions and mounts hold what they are about to reference
/// until they have committed; the collector deletes only what it could condemn, and anything held is left for the
/// next collection;</item>
/// <item>the database transaction that deletes a slice of units looks at each again: one associated or
/// re-imported since it was listed stays.</item>
/// </list>
/// A collection walks the units a slice at a time, so its memory does not grow with their number.
/// </summary>
public sealed class OrphanCollector(
    IOrphanStore orphans,
    IContentStore content,
    ReferenceGuard guard,
    EventAnnouncer events,
    IOptions<BerthOptions> options,
    TimeProvider clock,
    ILogger<OrphanCollector> logger)
    : IDisposable
{
    private const int Slice = 1000;

    // Units deleted per transaction: each holds the database's write lock, which pushes wait for, so it stays short.
    private const int DeletionBatch = 200;

    // One collection at a time: two would only race each other for the same units.
    private readonly SemaphoreSlim _running = new(1, 1);

    public void Dispose() => _running.Dispose();

    /// <summary>Lists orphans, of one type when given, a slice at a time.</summary>
    public async IAsyncEnumerable<Orphan> ListAsync(string? typeId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        do
        {
            var page = await orphans.PageAsync(typeId, after, Slice, cancellationToken);
            foreach (var orphan in page.Orphans)
            {
                yield return orphan;
            }

            after = page.Next;
        }
        while (after is not null);
    }

    /// <summary>
    /// Collects orphans (of one type when given), then the content files no unit names any more: those orphaned
    /// for longer than <paramref name="olderThan"/>, when an administrator gives it, else than the grace period.
    /// </summary>
    public async Task<OrphanCollectionReport> CollectAsync(string? typeId, TimeSpan? olderThan, CancellationToken cancellationToken)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            return await RunAsync(typeId, olderThan ?? options.Value.Lifecycle.OrphanGracePeriod, cancellationToken);
        }
        finally
        {
            _running.Release();
        }
    }

    /// <summary>
    /// Removes the named units that are orphans, however recently they became one (an administrator named them), and the
    /// content no other unit names. A named unit that is in a repository, that an import holds, or that is not there, stays.
    /// </summary>
    public async Task<OrphanCollectionReport> RemoveAsync(IReadOnlyCollection<OrphanName> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        await _running.WaitAsync(cancellationToken);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var cutoff = clock.GetUtcNow();
            var tally = new Tally();
            var found = new List<Orphan>();
            foreach (var type in names.GroupBy(n => n.TypeId, StringComparer.Ordinal))
            {
                var ids = type.Select(n => n.UnitId).ToHashSet(StringComparer.Ordinal);
                found.AddRange(await ListAsync(type.Key, cancellationToken).Where(o => o.Unit.Id is { } id && ids.Contains(id)).ToListAsync(cancellationToken));
            }

            var removed = new List<Orphan>();
            foreach (var batch in found.Chunk(DeletionBatch))
            {
                removed.AddRange(await CollectBatchAsync(batch, cutoff, tally, cancellationToken));
            }

            // Their content is swept here, a digest prefix at a time: the sweep of a collection would walk the whole store for a few files.
            var digests = removed.Select(o => o.Unit.ContentDigest).OfType<string>().Distinct(StringComparer.Ordinal).Select(Docker.Common.Digests.Digest.Parse);
            foreach (var prefix in digests.GroupBy(PrefixOf, StringComparer.Ordinal))
            {
                var named = await orphans.NamedDigestsAsync(prefix.Key, cancellationToken);
                await SweepAsync(prefix.Key, [.. prefix.Where(d => !named.Contains(d.ToString()))], tally, cancellationToken);
            }

            return await ReportAsync(tally, TimeSpan.Zero, started, cancellationToken);
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<OrphanCollectionReport> RunAsync(string? typeId, TimeSpan grace, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var cutoff = clock.GetUtcNow() - grace;
        var tally = new Tally();
        string? after = null;
        do
        {
            var page = await orphans.PageAsync(typeId, after, Slice, cancellationToken);
            var ripe = page.Orphans.Where(o => o.Since < cutoff).ToList();
            tally.SkippedInGracePeriod += page.Orphans.Count - ripe.Count;
            foreach (var batch in ripe.Chunk(DeletionBatch))
            {
                // When writes (pushes, imports) queued behind a batch, the collector waits as long again before the
                // next: they get at least half of the store while a large collection runs, and an idle server
                // collects at full speed.
                var batchStarted = Stopwatch.GetTimestamp();
                await CollectBatchAsync(batch, cutoff, tally, cancellationToken);
                if (orphans.IsBusy)
                {
                    await Task.Delay(Stopwatch.GetElapsedTime(batchStarted), clock, cancellationToken);
                }
            }

            after = page.Next;
        }
        while (after is not null);

        await SweepContentAsync(cutoff, tally, cancellationToken);
        return await ReportAsync(tally, grace, started, cancellationToken);
    }

    /// <summary>What a collection or removal did, counted in the metrics, logged, and announced when it removed anything.</summary>
    private async Task<OrphanCollectionReport> ReportAsync(Tally tally, TimeSpan grace, long started, CancellationToken cancellationToken)
    {
        var report = new OrphanCollectionReport(
            tally.ByType,
            tally.ByType.Values.Sum(),
            tally.Files,
            tally.Bytes,
            tally.SkippedInUse,
            tally.SkippedInGracePeriod,
            grace.TotalSeconds,
            Stopwatch.GetElapsedTime(started).TotalSeconds);
        ServerMetrics.OrphanCollections.Add(1);
        ServerMetrics.OrphanBytesFreed.Add(report.BytesFreed);
        foreach (var (unitType, removed) in report.UnitsRemoved)
        {
            ServerMetrics.OrphanUnitsRemoved.Add(removed, new KeyValuePair<string, object?>("unit_type", unitType));
        }

        logger.LogInformation(
            "Orphan collection: {Units} units and {Files} content files removed, {Bytes} bytes freed, {InUse} in use and {Young} orphaned less than {Age} s ago left, in {Seconds:F1} s",
            report.UnitsRemovedTotal, report.ContentFilesRemoved, report.BytesFreed, report.SkippedInUse, report.SkippedInGracePeriod, report.GracePeriodSeconds, report.Seconds);
        if (report.UnitsRemovedTotal > 0 || report.ContentFilesRemoved > 0)
        {
            // Written once the run is over, not with each batch it deleted: a crash in between loses this one event.
            await events.AnnounceAloneAsync(
                EventActions.OrphanCollection, new EventTarget { Units = report.UnitsRemovedTotal, BytesFreed = report.BytesFreed }, cancellationToken);
        }

        return report;
    }

    /// <returns>The orphans it deleted.</returns>
    private async Task<IReadOnlyList<Orphan>> CollectBatchAsync(Orphan[] ripe, DateTimeOffset cutoff, Tally tally, CancellationToken cancellationToken)
    {
        var condemned = new List<Orphan>();
        var condemnations = new List<ReferenceGuard.Condemnation>();
        var condemnedKeys = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var orphan in ripe)
            {
                // Two orphans may share content (a blob and a manifest with the same bytes): condemned once.
                var keys = KeysOf(orphan).Where(k => !condemnedKeys.Contains(k)).ToList();
                if (await guard.TryCondemnAsync(keys, cancellationToken) is { } condemnation)
                {
                    condemnations.Add(condemnation);
                    condemned.Add(orphan);
                    condemnedKeys.UnionWith(keys);
                }
                else
                {
                    tally.SkippedInUse++;
                }
            }

            if (condemned.Count == 0)
            {
                return [];
            }

            await ConfirmAsync(condemnations, cancellationToken);
            var deleted = await orphans.DeleteAsync(condemned, cutoff, cancellationToken);
            foreach (var unit in deleted)
            {
                tally.ByType[unit.Unit.TypeId] = tally.ByType.GetValueOrDefault(unit.Unit.TypeId) + 1;
            }

            return deleted;
        }
        finally
        {
            condemnations.ForEach(c => c.Dispose());
        }
    }

    /// <summary>
    /// Removes the content files no unit names: those of the units just deleted, and any left by a crash between
    /// a collection's commit and its deletions or between an import's content and its unit. Content is taken a page
    /// of the store's listing at a time, with one question to the metadata store per digest prefix (the algorithm and
    /// two hex digits) in the page; content younger than the grace period or held by an import stays.
    /// </summary>
    private async Task SweepContentAsync(DateTimeOffset cutoff, Tally tally, CancellationToken cancellationToken)
    {
        // A prefix spans many pages of a bucket's listing: what it names is asked once, when the prefix comes up. It may be
        // stale by a later page; what it misses is asked again under condemnation, before anything is deleted.
        (string Prefix, IReadOnlySet<string> Named)? last = null;
        await foreach (var page in content.ListAsync(cancellationToken))
        {
            foreach (var group in page.Where(e => e.Digest is not null).GroupBy(e => PrefixOf(e.Digest!.Value), StringComparer.Ordinal))
            {
                if (last?.Prefix != group.Key)
                {
                    last = (group.Key, await orphans.NamedDigestsAsync(group.Key, cancellationToken));
                }

                var named = last.Value.Named;
                await SweepAsync(group.Key, [.. group.Where(f => f.Stored < cutoff && !named.Contains(f.Digest!.Value.ToString())).Select(f => f.Digest!.Value)], tally, cancellationToken);
            }
        }
    }

    /// <summary>Deletes content of one digest prefix that no unit named when last asked, unless an import holds it or names it meanwhile.</summary>
    private async Task SweepAsync(string prefix, IReadOnlyList<Docker.Common.Digests.Digest> unnamed, Tally tally, CancellationToken cancellationToken)
    {
        var condemned = new List<(Docker.Common.Digests.Digest Digest, ReferenceGuard.Condemnation Condemnation)>();
        try
        {
            foreach (var digest in unnamed)
            {
                if (await guard.TryCondemnAsync([ReferenceGuard.ContentKey(digest.ToString())], cancellationToken) is { } condemnation)
                {
                    condemned.Add((digest, condemnation));
                }
                else
                {
                    tally.SkippedInUse++;
                }
            }

            if (condemned.Count == 0)
            {
                return;
            }

            // Asked again under condemnation: an import may have named one in between.
            var namedSince = await orphans.NamedDigestsAsync(prefix, cancellationToken);
            await ConfirmAsync([.. condemned.Select(c => c.Condemnation)], cancellationToken);
            foreach (var (digest, _) in condemned.Where(c => !namedSince.Contains(c.Digest.ToString())))
            {
                tally.Bytes += await content.DeleteAsync(digest, CancellationToken.None);
                tally.Files++;
            }
        }
        finally
        {
            condemned.ForEach(c => c.Condemnation.Dispose());
        }
    }

    // Every condemnation of a batch lives in the same generation of the shared guard, but for one that ended in between:
    // each generation is confirmed once.
    private static async Task ConfirmAsync(IReadOnlyList<ReferenceGuard.Condemnation> condemnations, CancellationToken cancellationToken)
    {
        foreach (var condemnation in condemnations.DistinctBy(c => c.Generation))
        {
            await condemnation.ConfirmAsync(cancellationToken);
        }
    }

    // What the metadata store is asked about at once: the algorithm and two hex digits.
    private static string PrefixOf(Docker.Common.Digests.Digest digest) => $"{digest.Algorithm.Name}:{digest.Encoded[..2]}";

    private static string[] KeysOf(Orphan orphan) => orphan.Unit.ContentDigest is { } digest
        ? [ReferenceGuard.UnitKey(orphan.Unit.TypeId, orphan.Unit.Key), ReferenceGuard.ContentKey(digest)]
        : [ReferenceGuard.UnitKey(orphan.Unit.TypeId, orphan.Unit.Key)];

    private sealed class Tally
    {
        public Dictionary<string, long> ByType { get; } = new(StringComparer.Ordinal);

        public long Files { get; set; }

        public long Bytes { get; set; }

        public long SkippedInUse { get; set; }

        public long SkippedInGracePeriod { get; set; }
    }
}
