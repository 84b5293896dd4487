using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Orphans;
using Berth.Server.Registry.Browsing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Berth.Server.Ui.Pages;

/// <summary>Administrators: the orphans by type, what a collection would free now, and a collection on demand.</summary>
public sealed class OrphansModel(AccessControl access, OrphanCollector collector, Audit audit, TimeProvider clock, IOptions<BerthOptions> options) : UiPage
{
    /// <summary>Orphans read for the summary at most: beyond it the page says "at least".</summary>
    public const int MaxRead = 100_000;

    public TimeSpan GracePeriod => options.Value.Lifecycle.OrphanGracePeriod;

    public IReadOnlyList<(string TypeId, long Count, long Due)> Rows { get; private set; } = [];

    public long Due { get; private set; }

    public long DueBytes { get; private set; }

    public OrphanCollectionReport? Report { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        await access.RequireAdministratorAsync(HttpContext);
        await ReadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostCollectAsync()
    {
        await access.RequireAdministratorAsync(HttpContext);
        Report = await collector.CollectAsync(null, null, HttpContext.RequestAborted);
        await audit.RecordAsync(HttpContext, "delete.orphans", "all types", Report.AuditDetail(gracePeriodOverridden: false));
        await ReadAsync();
        return Page();
    }

    private async Task ReadAsync()
    {
        var now = clock.GetUtcNow();
        var all = new List<Orphan>();
        await foreach (var orphan in collector.ListAsync(null, HttpContext.RequestAborted))
        {
            all.Add(orphan);
            if (all.Count >= MaxRead)
            {
                break;
            }
        }

        bool IsDue(Orphan orphan) => now - orphan.Since > GracePeriod;
        Rows = [.. all.GroupBy(o => o.Unit.TypeId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (long)g.Count(), (long)g.Count(IsDue)))];
        var due = all.Where(IsDue).Select(o => o.Unit).ToList<Unit>();
        Due = due.Count;
        DueBytes = RepositoryBrowser.Count(due).BlobBytes;
    }
}
