using Microsoft.AspNetCore.Mvc.Filters;

namespace Berth.Server.Ui;

/// <summary>
/// Refuses a posted form that does not carry this browser's token (<see cref="UiFormTokens"/>), before its handler
/// runs: nothing changes, and the page says to reload and try again.
/// </summary>
public sealed class UiFormCheck(UiFormTokens tokens, ILogger<UiFormCheck> logger) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            await next();
            return;
        }

        if (context.HandlerMethod is null)
        {
            // Razor Pages would render a page that has no handler for the method as if it were read: say it takes none.
            context.HttpContext.Response.Headers.Allow = "GET, HEAD";
            Refuse(context, StatusCodes.Status405MethodNotAllowed, "This page takes no form: nothing was changed.");
            return;
        }

        var posted = request.HasFormContentType ? (await request.ReadFormAsync(context.HttpContext.RequestAborted))[UiFormTokens.FieldName].ToString() : null;
        if (!tokens.Matches(context.HttpContext, posted))
        {
            logger.LogInformation("{Method} {Path}: a form without this browser's token was refused", request.Method, request.Path);
            Refuse(
                context,
                StatusCodes.Status400BadRequest,
                "This form did not come from this page as it is now (it expired, or another site sent it). Nothing was changed: reload the page and try again.");
            return;
        }

        await next();
    }

    private static void Refuse(PageHandlerExecutingContext context, int status, string message)
    {
        if (context.HandlerInstance is UiPage page)
        {
            page.Fail(status, message);
            context.Result = new Microsoft.AspNetCore.Mvc.RazorPages.PageResult();
        }
        else
        {
            context.Result = new Microsoft.AspNetCore.Mvc.StatusCodeResult(status);
        }
    }
}
