using Berth.Server.Registry.Browsing;
using Berth.Server.Repositories;
using Berth.Server.Units;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Server.Ui.Pages;

/// <summary>The repositories the reader may pull, found by part of their id or names, a page at a time.</summary>
public sealed class RepositoriesModel(RepositoryService repositories, IUnitStore units) : UiPage
{
    public const int PageSize = 50;

    [BindProperty(Name = "q", SupportsGet = true)]
    public string? Query { get; set; }

    [BindProperty(Name = "p", SupportsGet = true)]
    public int PageNumber { get; set; } = 1;

    public int Total { get; private set; }

    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);

    public IReadOnlyList<RepositoryRow> Rows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        Query = Query?.Trim();
        if (Query is { Length: > 256 } || PageNumber < 1 || !ModelState.IsValid)
        {
            return Failed(StatusCodes.Status400BadRequest, "Search with at most 256 characters, and pages numbered from 1.");
        }

        // Only what the reader may pull is listed, found or counted: what they may not does not exist for them.
        var reader = Reader;
        var visible = (await repositories.ListAsync(HttpContext.RequestAborted))
            .Where(r => reader.AllowedOn(r) != Access.AccessAction.None)
            .Where(r => Query is not { Length: > 0 } q ||
                        r.Id.Value.Contains(q, StringComparison.OrdinalIgnoreCase) ||
                        r.DisplayName.Contains(q, StringComparison.OrdinalIgnoreCase) ||
                        (r.RegistryName?.Value.Contains(q, StringComparison.OrdinalIgnoreCase) ?? false))
            .OrderBy(r => r.Id.Value, StringComparer.Ordinal)
            .ToList();
        Total = visible.Count;
        if (PageNumber > PageCount)
        {
            return Failed(StatusCodes.Status404NotFound, $"There are {PageCount} pages of repositories; page {PageNumber} is past the last.");
        }

        var rows = new List<RepositoryRow>();
        foreach (var repository in visible.Skip((PageNumber - 1) * PageSize).Take(PageSize))
        {
            var counts = await units.CountByTypeAsync(repository.Id, HttpContext.RequestAborted);
            rows.Add(new RepositoryRow(repository, RepositoryBrowser.Count(counts), await units.LastAddedAsync(repository.Id, HttpContext.RequestAborted)));
        }

        Rows = rows;
        return Page();
    }

    public string PageLink(int page) =>
        $"{UiPaths.Repositories}?p={page}" + (Query is { Length: > 0 } q ? $"&q={Uri.EscapeDataString(q)}" : string.Empty);
}

/// <summary>A repository as the list shows it.</summary>
public sealed record RepositoryRow(Repository Repository, ContentCounts Counts, DateTimeOffset? LastAdded);
