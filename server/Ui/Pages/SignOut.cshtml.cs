using Berth.Server.Access;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Server.Ui.Pages;

/// <summary>
/// Ends the browser's session, on the server too: a copy of the cookie is refused afterwards. A form post (with its
/// token), never a link another site could make the browser follow.
/// </summary>
public sealed class SignOutModel(Authenticator authenticator) : UiPage
{
    public IActionResult OnGet() => Redirect(UiPaths.Repositories);

    public async Task<IActionResult> OnPostAsync()
    {
        if (UiSession.Current(HttpContext) is { } session)
        {
            await authenticator.SignOutAsync(session, HttpContext.RequestAborted);
        }

        UiSession.End(HttpContext);
        return Redirect(UiPaths.SignIn);
    }
}
