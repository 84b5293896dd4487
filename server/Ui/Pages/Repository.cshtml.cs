using System.Text.Json.Nodes;
using Berth.Server.Access;
using Berth.Server.Importers;
using Berth.Server.Registry.Browsing;
using Berth.Server.Repositories;
using Berth.Server.Retention;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Server.Ui.Pages;

/// <summary>A repository: how to pull it, its importers and retention policy, and its tags a page at a time.</summary>
public sealed class RepositoryModel(
    AccessControl access, RepositoryService repositories, RepositoryUpdate update, RepositoryBrowser browser, ImporterService importers,
    IRetentionPolicyStore retention) : UiPage
{
    public const int PageSize = 50;

    /// <summary>How many promotion destinations are offered; any other may be typed.</summary>
    public const int MaxDestinations = 200;

    [FromRoute(Name = "id")]
    public string Id { get; set; } = string.Empty;

    [BindProperty(Name = "q", SupportsGet = true)]
    public string? Filter { get; set; }

    [BindProperty(Name = "p", SupportsGet = true)]
    public int PageNumber { get; set; } = 1;

    public Repository? Repository { get; private set; }

    public IReadOnlyList<string> Importers { get; private set; } = [];

    public string? Retention { get; private set; }

    /// <summary>Whether the reader administers the repository: its retention policy and anonymous pulls are theirs to change.</summary>
    public bool MayAdminister { get; private set; }

    public TagPage Tags { get; private set; } = new([], false);

    public string? TagFilterProblem { get; private set; }

    /// <summary>Repositories the reader may push to, offered as promotion destinations (the first <see cref="MaxDestinations"/> by id; any may be typed).</summary>
    public IReadOnlyList<string> Destinations { get; private set; } = [];

    /// <summary>Whether the reader may push to some other repository: only then is promotion offered.</summary>
    public bool MayPromote => Destinations.Count > 0;

    /// <summary>The host registry clients reach this server at, as the browser did.</summary>
    public string Host => HttpContext.Request.Host.Value ?? "localhost";

    /// <summary>A tag for the pull commands: the first listed, or <c>latest</c>.</summary>
    public string ExampleTag => Tags.Tags.Count > 0 ? Tags.Tags[0].Name : "latest";

    public async Task<IActionResult> OnGetAsync()
    {
        if (PageNumber is < 1 or > 100_000 || !ModelState.IsValid)
        {
            return Failed(StatusCodes.Status400BadRequest, "Pages are numbered from 1.");
        }

        var repository = await access.RepositoryAsync(HttpContext, Id, AccessAction.Pull);
        Repository = repository;
        Importers = [.. (await importers.ListAsync(repository.Id, HttpContext.RequestAborted)).Select(i => i.ImporterTypeId).Order(StringComparer.Ordinal)];
        Retention = (await retention.FindAsync(repository.Id, HttpContext.RequestAborted)) is { } policy ? UiFormat.Policy(policy) : null;
        MayAdminister = Reader.AllowedOn(repository).HasFlag(AccessAction.Admin);
        Destinations = Reader.MayPushSomewhere ? await DestinationsAsync(repository) : [];
        if (!TagFilter.TryParse(Filter, out var filter, out var problem))
        {
            TagFilterProblem = problem;
            HttpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        Tags = await browser.TagsAsync(repository, filter, PageNumber - 1, PageSize, HttpContext.RequestAborted);
        return Page();
    }

    /// <summary>
    /// Opens the repository to anonymous pulls, or closes it (<c>open</c> is <c>true</c> or <c>false</c>), as the content
    /// API's update does; then back to <c>return</c> when it is a UI path (the users page lists open repositories).
    /// </summary>
    public async Task<IActionResult> OnPostAnonymousAsync([FromForm(Name = "open")] string? open, [FromForm(Name = "return")] string? returnTo)
    {
        var current = await update.RequireAsync(HttpContext, Id);
        if (!bool.TryParse(open, out var anonymousPull))
        {
            return Failed(StatusCodes.Status400BadRequest, "Say whether the repository is to be open to anonymous pulls: open is true or false.");
        }

        await update.ApplyAsync(HttpContext, current, new JsonObject { ["delta"] = new JsonObject { ["anonymous_pull"] = anonymousPull } }, HttpContext.RequestAborted);
        return Redirect(UiPaths.IsLocal(returnTo) ? returnTo! : UiPaths.Repository(current.Id.Value));
    }

    /// <summary>
    /// The first repositories by id, other than this one, that the reader may push to: read from the store a page at a
    /// time until there are enough, so that a reader who may push to most repositories reads about as many as are shown.
    /// </summary>
    private async Task<IReadOnlyList<string>> DestinationsAsync(Repository shown)
    {
        // One more than are offered: this repository is among them at most once.
        const int ReadAtOnce = MaxDestinations + 1;
        var found = new List<string>();
        RepositoryId? after = null;
        while (found.Count < MaxDestinations)
        {
            var page = await repositories.ListAsync(after, ReadAtOnce, HttpContext.RequestAborted);
            found.AddRange(page
                .Where(r => r.Id != shown.Id && Reader.AllowedOn(r).HasFlag(AccessAction.Push))
                .Select(r => r.Id.Value)
                .Take(MaxDestinations - found.Count));
            if (page.Count < ReadAtOnce)
            {
                break;
            }

            after = page[^1].Id;
        }

        return found;
    }

    public string PageLink(int page) =>
        $"{UiPaths.Repository(Id)}?p={page}" + (Filter is { Length: > 0 } q ? $"&q={Uri.EscapeDataString(q)}" : string.Empty);
}
