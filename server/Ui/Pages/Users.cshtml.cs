using Berth.Server.Access;
using Berth.Server.Repositories;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Server.Ui.Pages;

/// <summary>Administrators: every user and their grants, and which repositories anyone may pull.</summary>
public sealed class UsersModel(UserService users, RepositoryService repositories) : UiPage
{
    public IReadOnlyList<User> Users { get; private set; } = [];

    public IReadOnlyList<string> Anonymous { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        Users = [.. (await users.ListAsync(HttpContext)).OrderBy(u => u.Login, StringComparer.Ordinal)];
        Anonymous = [.. (await repositories.ListAsync(HttpContext.RequestAborted)).Where(r => r.AnonymousPull).Select(r => r.Id.Value).Order(StringComparer.Ordinal)];
        return Page();
    }
}
