using Berth.Server.Access;
using Berth.Server.Errors;
using Berth.Server.Registry;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Server.Ui;

/// <summary>
/// The UI's one mapping of failures to pages, as the APIs have theirs: a refusal that signing in would help sends the
/// reader to sign in; any other mistake or refusal is the page's message with its status; the server's own faults go
/// on to the error middleware, which logs them.
/// </summary>
public sealed class UiProblems : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var executed = await next();
        if (executed.Exception is null || executed.ExceptionHandled || context.HandlerInstance is not UiPage page)
        {
            return;
        }

        var http = context.HttpContext;
        if (executed.Exception is AccessDeniedException { Failure: AccessFailure.Unauthenticated })
        {
            executed.Result = new RedirectResult(UiPaths.SignInFor(http.Request.Path + http.Request.QueryString));
            executed.ExceptionHandled = true;
            return;
        }

        if (executed.Exception is InvalidDataException)
        {
            // The form reader's own limits (too many fields, a field too long): the reader's doing.
            page.Fail(StatusCodes.Status400BadRequest, "This form holds more than the page takes; nothing was changed.");
            executed.Result = new PageResult();
            executed.ExceptionHandled = true;
            return;
        }

        // The content API's mapping decides what is the client's doing and what its status is; its message is kept.
        var failure = executed.Exception is RegistryException
            ? RegistryErrors.Describe(executed.Exception, http)
            : ContentApiErrors.Describe(executed.Exception, http);
        if (failure.IsServerFault)
        {
            return;
        }

        page.Fail(failure.Status, failure.Message);
        executed.Result = new PageResult();
        executed.ExceptionHandled = true;
    }
}
