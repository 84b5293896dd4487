using Berth.Server.Access;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Server.Ui;

/// <summary>
/// What every UI page has: its reader, the token its forms carry, and a problem to show instead of its content when
/// what was asked cannot be done. Forms are small: a few fields of text.
/// </summary>
[RequestSizeLimit(64 * 1024)]
[RequestFormLimits(ValueCountLimit = 64, ValueLengthLimit = 16 * 1024, KeyLengthLimit = 256, MultipartBodyLengthLimit = 64 * 1024)]
public abstract class UiPage : PageModel
{
    /// <summary>Who reads the page (anonymous readers see repositories open to anonymous pulls).</summary>
    public Caller Reader => AccessControl.KnownCaller(HttpContext) ?? Caller.Anonymous;

    /// <summary>What cannot be done, instead of the page's content; <see langword="null"/> when all is well.</summary>
    public string? Problem { get; private set; }

    /// <summary>The token the page's forms carry (see <see cref="UiFormTokens"/>).</summary>
    public string FormToken => HttpContext.RequestServices.GetRequiredService<UiFormTokens>().For(HttpContext);

    /// <summary>Shows <paramref name="message"/> instead of the page, with <paramref name="status"/>.</summary>
    public void Fail(int status, string message)
    {
        Problem = message;
        HttpContext.Response.StatusCode = status;
    }

    /// <summary>The page showing its problem.</summary>
    protected PageResult Failed(int status, string message)
    {
        Fail(status, message);
        return Page();
    }
}
