using Berth.Server.Access;
using Berth.Server.Promotion;
using Berth.Server.Registry.Browsing;
using Berth.Server.Repositories;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Server.Ui.Pages;

/// <summary>
/// Promotes tags of a repository to another: first what would go (the tags and all they need), checked as the promotion
/// itself checks it, then, once confirmed, the promotion. The reader must be able to pull the source and push the destination.
/// </summary>
public sealed class PromoteModel(AccessControl access, PromotionService promotion) : UiPage
{
    public const int MaxTags = 500;

    [FromRoute(Name = "id")]
    public string Id { get; set; } = string.Empty;

    [BindProperty(Name = "tag", SupportsGet = true)]
    public List<string> Tags { get; set; } = [];

    [BindProperty(Name = "to", SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(Name = "referrers", SupportsGet = true)]
    public bool WithReferrers { get; set; }

    public Repository? Source { get; private set; }

    public Repository? Destination { get; private set; }

    public PromotionPlan? Plan { get; private set; }

    public ContentCounts Counts { get; private set; } = new(0, 0, 0);

    public long BlobBytes { get; private set; }

    /// <summary>What comes with the tags, as kind and digest.</summary>
    public IReadOnlyList<(string Kind, string Digest)> Closure { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (Refusal() is { } refusal)
        {
            return Failed(StatusCodes.Status400BadRequest, refusal);
        }

        var (source, destination) = await RepositoriesAsync();
        Plan = await promotion.PlanAsync(destination, source, Command(), HttpContext.RequestAborted);
        (Counts, BlobBytes) = RepositoryBrowser.Count(Plan.Contents.Concat(Plan.Names));
        Tags = [.. Plan.Names.Select(RepositoryBrowser.TagNameOf).OfType<string>().Order(StringComparer.Ordinal)];
        Closure = [.. Plan.Contents.Select(u => (u.TypeId, u.ContentDigest ?? u.Key.ToString()))];
        if (Tags.Count == 0)
        {
            return Failed(StatusCodes.Status400BadRequest, $"None of these tags is in {source.Id}: choose tags it holds.");
        }

        return Page();
    }

    public async Task<IActionResult> OnPostConfirmAsync()
    {
        if (Refusal() is { } refusal)
        {
            return Failed(StatusCodes.Status400BadRequest, refusal);
        }

        var (source, destination) = await RepositoriesAsync();
        await promotion.AssociateAsync(destination, source, Command(), HttpContext.RequestAborted);
        return Redirect(UiPaths.Repository(destination.Id.Value));
    }

    private string? Refusal() =>
        !ModelState.IsValid ? "A promotion names tags, a destination, and whether referrers come too (true or false)."
        : Tags.Count == 0 ? "Choose at least one tag to promote."
        : Tags.Count > MaxTags ? $"Promote at most {MaxTags} tags at once."
        : Tags.Any(t => t.Length is 0 or > 128) ? "A tag name has 1 to 128 characters."
        : string.IsNullOrEmpty(To) ? "Choose the repository to promote to."
        : null;

    private async Task<(Repository Source, Repository Destination)> RepositoriesAsync()
    {
        Source = await access.RepositoryAsync(HttpContext, Id, AccessAction.Pull);
        Destination = await access.RepositoryAsync(HttpContext, To!, AccessAction.Push);
        return (Source, Destination);
    }

    private AssociateCommand Command() => new(Id, RepositoryBrowser.TagsNamed([.. Tags.Distinct(StringComparer.Ordinal)]), WithReferrers);
}
