using Berth.Server.Access;
using Berth.Server.Membership;
using Berth.Server.Registry.Browsing;
using Berth.Server.Repositories;
using Berth.Server.Units;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Server.Ui.Pages;

/// <summary>
/// Removes a tag, or a manifest with its tags, from a repository: first what would go (or why it cannot), then, once
/// confirmed, the removal <c>unassociate</c> makes. The reader must be able to delete in the repository.
/// </summary>
public sealed class RemoveModel(AccessControl access, MemberRemoval removal) : UiPage
{
    [FromRoute(Name = "id")]
    public string Id { get; set; } = string.Empty;

    [BindProperty(Name = "tag", SupportsGet = true)]
    public string? Tag { get; set; }

    [BindProperty(Name = "digest", SupportsGet = true)]
    public string? Digest { get; set; }

    public Repository? Repository { get; private set; }

    /// <summary>What is to be removed, in words: the tag, or the manifest.</summary>
    public string What => Tag is { } tag ? $"tag {tag}" : $"manifest {Digest}";

    public IReadOnlyList<string> Removing { get; private set; } = [];

    /// <summary>When the removal cannot be: each unit that would go, with what stays and needs it.</summary>
    public IReadOnlyList<(string Needed, IReadOnlyList<string> NeededBy)> StillNeeded { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        if (Criteria(out var problem) is not { } criteria)
        {
            return Failed(StatusCodes.Status400BadRequest, problem!);
        }

        Repository = await access.RepositoryAsync(HttpContext, Id, AccessAction.Delete);
        try
        {
            var plan = await removal.PlanAsync(Repository.Id, criteria, HttpContext.RequestAborted);
            if (plan.Count == 0)
            {
                return Failed(StatusCodes.Status404NotFound, $"Repository {Id} holds no {What}.");
            }

            Removing = [.. plan.Select(RepositoryBrowser.Describe)];
        }
        catch (StillNeededException e)
        {
            StillNeeded = [.. e.Needed.Select(n => (RepositoryBrowser.Describe(n.Unit), (IReadOnlyList<string>)[.. n.NeededBy.Select(RepositoryBrowser.Describe)]))];
            HttpContext.Response.StatusCode = StatusCodes.Status409Conflict;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostConfirmAsync()
    {
        if (Criteria(out var problem) is not { } criteria)
        {
            return Failed(StatusCodes.Status400BadRequest, problem!);
        }

        Repository = await access.RepositoryAsync(HttpContext, Id, AccessAction.Delete);
        var removed = await removal.RemoveAsync(Repository.Id, criteria, HttpContext.RequestAborted);
        return removed.Count == 0
            ? Failed(StatusCodes.Status404NotFound, $"Repository {Id} holds no {What}: nothing was removed.")
            : Redirect(UiPaths.Repository(Id));
    }

    private UnitCriteria? Criteria(out string? problem)
    {
        problem = null;
        if (!ModelState.IsValid || (Tag is null) == (Digest is null))
        {
            problem = "Name either a tag or a manifest's digest to remove.";
            return null;
        }

        if (Tag is { } tag)
        {
            if (!Docker.Common.References.TagName.TryParse(tag, out _, out var bad))
            {
                problem = $"'{tag}' is not a tag: {bad}.";
                return null;
            }

            return RepositoryBrowser.TagsNamed([tag]);
        }

        if (!Docker.Common.Digests.Digest.TryParse(Digest, out var digest, out var invalid))
        {
            problem = $"'{Digest}' is not a digest: {invalid}.";
            return null;
        }

        return RepositoryBrowser.ManifestWithDigest(digest);
    }
}
