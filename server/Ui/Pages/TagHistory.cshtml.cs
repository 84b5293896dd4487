using Berth.Server.Access;
using Berth.Server.Registry.Browsing;
using Berth.Server.Repositories;
using Berth.Server.TagHistory;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Server.Ui.Pages;

/// <summary>Where a tag has pointed, newest first, and, for readers who may push, a way back to each earlier manifest.</summary>
public sealed class TagHistoryModel(AccessControl access, ITagHistoryStore history, TagRollback rollback, RepositoryBrowser browser) : UiPage
{
    [FromRoute(Name = "id")]
    public string Id { get; set; } = string.Empty;

    [FromRoute(Name = "tag")]
    public string Tag { get; set; } = string.Empty;

    /// <summary>After a rollback: the digest the tag points at again.</summary>
    [BindProperty(Name = "rolled", SupportsGet = true)]
    public string? RolledBackTo { get; set; }

    public Repository? Repository { get; private set; }

    public IReadOnlyList<TagMove> Moves { get; private set; } = [];

    public string? Current { get; private set; }

    /// <summary>Whether the reader may move tags here: only then is a rollback offered (and the server checks again).</summary>
    public bool MayRollBack { get; private set; }

    /// <summary>Whether the reader may remove from the repository: only then is removal offered.</summary>
    public bool MayRemove { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        await ReadAsync(AccessAction.Pull);
        if (RolledBackTo is { } rolled && rolled != Current)
        {
            RolledBackTo = null;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostRollbackAsync([FromForm(Name = "digest")] string? digest)
    {
        var repository = await access.RepositoryAsync(HttpContext, Id, AccessAction.Push);
        if (string.IsNullOrEmpty(digest) || digest.Length > 512)
        {
            return await RefusedAsync("Choose the manifest to go back to.");
        }

        var unit = await rollback.RollBackAsync(repository.Id, Tag, digest, HttpContext.RequestAborted);
        return Redirect($"{UiPaths.TagHistory(Id, Tag)}?rolled={Uri.EscapeDataString(Membership.UnitTypes.TargetValueOf(unit) ?? digest)}");
    }

    private async Task ReadAsync(AccessAction action)
    {
        var repository = await access.RepositoryAsync(HttpContext, Id, action);
        Repository = repository;
        Moves = await history.ListAsync(repository.Id, Tag, HttpContext.RequestAborted);
        Current = await browser.TaggedAsync(repository, Tag, HttpContext.RequestAborted);
        MayRollBack = Reader.AllowedOn(repository).HasFlag(AccessAction.Push);
        MayRemove = Reader.AllowedOn(repository).HasFlag(AccessAction.Delete);
    }

    private async Task<IActionResult> RefusedAsync(string message)
    {
        await ReadAsync(AccessAction.Push);
        return Failed(StatusCodes.Status400BadRequest, message);
    }
}
