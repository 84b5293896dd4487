using Berth.Server.Access;
using Berth.Server.Registry.Browsing;
using Berth.Server.Repositories;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Server.Ui.Pages;

/// <summary>One manifest or index of a repository: what it is made of and runs on, what refers to it, its exact bytes.</summary>
public sealed class ImageModel(AccessControl access, RepositoryService repositories, RepositoryBrowser browser) : UiPage
{
    [FromRoute(Name = "id")]
    public string Id { get; set; } = string.Empty;

    [FromRoute(Name = "digest")]
    public string Digest { get; set; } = string.Empty;

    public Repository? Repository { get; private set; }

    public ImageDetails? Image { get; private set; }

    /// <summary>The repositories holding it that the reader may pull: others are not named.</summary>
    public IReadOnlyList<string> HeldBy { get; private set; } = [];

    /// <summary>Whether the reader may remove from the repository: only then is removal offered.</summary>
    public bool MayRemove => Repository is { } repository && Reader.AllowedOn(repository).HasFlag(AccessAction.Delete);

    public string RawLink => UiPaths.Image(Id, Digest) + "?handler=raw";

    public async Task<IActionResult> OnGetAsync()
    {
        if (await FindAsync() is { } failed)
        {
            return failed;
        }

        var held = new List<string>();
        foreach (var id in Image!.HeldBy.Order(StringComparer.Ordinal))
        {
            if (await repositories.FindAsync(id, HttpContext.RequestAborted) is { } holder && Reader.AllowedOn(holder) != AccessAction.None)
            {
                held.Add(id);
            }
        }

        HeldBy = held;
        return Page();
    }

    /// <summary>The manifest's exact bytes, as a file.</summary>
    public async Task<IActionResult> OnGetRawAsync()
    {
        if (await FindAsync() is { } failed)
        {
            return failed;
        }

        return File(Image!.Bytes, Image.MediaType, Image.Digest.Replace(':', '-') + ".json");
    }

    private async Task<IActionResult?> FindAsync()
    {
        if (!Docker.Common.Digests.Digest.TryParse(Digest, out var digest, out var problem))
        {
            return Failed(StatusCodes.Status400BadRequest, $"'{Digest}' is not a digest: {problem}.");
        }

        Repository = await access.RepositoryAsync(HttpContext, Id, AccessAction.Pull);
        Image = await browser.ImageAsync(Repository, digest, HttpContext.RequestAborted);
        return Image is null ? Failed(StatusCodes.Status404NotFound, $"Repository {Id} holds no manifest {digest}.") : null;
    }
}
