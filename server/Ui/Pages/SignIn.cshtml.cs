using Berth.Server.Access;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Server.Ui.Pages;

/// <summary>Signs a reader in with their password, throttled as every sign-in is, and starts their session.</summary>
public sealed class SignInModel(Authenticator authenticator, UiSession session) : UiPage
{
    [BindProperty(Name = "login")]
    public string? Login { get; set; }

    [BindProperty(Name = "password")]
    public string? Password { get; set; }

    [BindProperty(Name = "return", SupportsGet = true)]
    public string? Return { get; set; }

    public string? Refusal { get; private set; }

    public IActionResult OnGet()
    {
        Return = UiPaths.IsLocal(Return) ? Return : null;
        return Reader.IsAuthenticated ? Redirect(Return ?? UiPaths.Repositories) : Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Return = UiPaths.IsLocal(Return) ? Return : null;
        if (string.IsNullOrEmpty(Login) || string.IsNullOrEmpty(Password) || Login.Length > 256 || Password.Length > 1024)
        {
            return Refused(StatusCodes.Status400BadRequest, "Give your user name and password.");
        }

        Caller? caller;
        try
        {
            caller = await authenticator.SignInAsync(Login, Password, HttpContext.Connection.RemoteIpAddress, HttpContext.RequestAborted);
        }
        catch (AccessDeniedException e) when (e.Failure == AccessFailure.TooManyAttempts)
        {
            return Refused(StatusCodes.Status429TooManyRequests, "Too many failed sign-ins lately: wait a minute, then try again.");
        }

        if (caller is null)
        {
            return Refused(StatusCodes.Status401Unauthorized, "Wrong user name or password.");
        }

        if (caller.Credential != CredentialKind.Password)
        {
            return Refused(StatusCodes.Status400BadRequest, "Sign in with your password: API tokens are for clients and scripts.");
        }

        session.Begin(HttpContext, caller);
        return new RedirectResult(Return ?? UiPaths.Repositories) { PreserveMethod = false };
    }

    private PageResult Refused(int status, string refusal)
    {
        Refusal = refusal;
        Password = null;
        HttpContext.Response.StatusCode = status;
        return Page();
    }
}
