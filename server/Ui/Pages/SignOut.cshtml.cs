using Microsoft.AspNetCore.Mvc;

namespace Berth.Server.Ui.Pages;

/// <summary>Ends the browser's session: a form post (with its token), never a link another site could make it follow.</summary>
public sealed class SignOutModel : UiPage
{
    public IActionResult OnGet() => Redirect(UiPaths.Repositories);

    public IActionResult OnPost()
    {
        UiSession.End(HttpContext);
        return Redirect(UiPaths.SignIn);
    }
}
