using System.Text.Json.Nodes;
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

    public async Task<IActionResult> OnPostCreateAsync(
        [FromForm(Name = "login")] string? login,
        [FromForm(Name = "password")] string? password,
        [FromForm(Name = "pattern")] string? pattern,
        [FromForm(Name = "action")] List<string>? actions)
    {
        // Read as the content API reads POST /users/, so that both refuse the same things.
        var body = new JsonObject { ["login"] = login, ["password"] = password, ["grants"] = UiGrants.Read([pattern], [string.Join(',', actions ?? [])]) };
        var user = await users.CreateAsync(HttpContext, body);
        return Redirect(UiPaths.User(user.Login));
    }
}
