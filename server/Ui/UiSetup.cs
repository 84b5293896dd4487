using Berth.Server.Clients;
using Berth.Server.Registry.Browsing;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Server.Ui;

/// <summary>
/// The web UI at <see cref="UiPaths.Root"/>: Razor Pages rendered on the server, signed in by its own session cookie,
/// checked by the same access rules as the APIs.
/// </summary>
public static class UiSetup
{
    public static IServiceCollection AddBerthUi(this IServiceCollection services)
    {
        services.AddSingleton<UiSession>();
        services.AddSingleton<UiFormTokens>();
        services.AddSingleton<UiFormCheck>();
        services.AddSingleton<RepositoryBrowser>();

        services.Configure<KeyManagementOptions>(options =>
        {
            options.XmlRepository = new MemoryKeyRepository();
            options.XmlEncryptor = new NullXmlEncryptor();
        });
        services.AddRazorPages(options =>
            {
                options.RootDirectory = "/Ui/Pages";

                // Forms carry Berth's own token (UiFormTokens), which replicas sharing the signing key all accept;
                // ASP.NET Core's would need a key ring shared between them.
                options.Conventions.ConfigureFilter(new IgnoreAntiforgeryTokenAttribute());

                // Outermost first: failures of the form check (a body beyond the limit) are pages too.
                options.Conventions.ConfigureFilter(new UiProblems());
                options.Conventions.ConfigureFilter(new ServiceFilterAttribute(typeof(UiFormCheck)));

                // The sign-in form is the one body an anonymous browser sends.
                options.Conventions.AddPageApplicationModelConvention("/SignIn", model => model.EndpointMetadata.Add(AnonymousBodies.Allowed));
            });
        return services;
    }

    /// <summary>Before anything that signs a request in: UI requests are signed in by their session cookie only.</summary>
    public static WebApplication UseBerthUi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Resolved per request, not now: the session's signer opens the data folder, which nothing may do before the
        // server listens (a start that fails on its address must leave no data folder behind).
        app.Use((context, next) => context.RequestServices.GetRequiredService<UiSession>().UseAsync(context, () => next(context)));
        return app;
    }

    /// <summary>What a UI address that is no page gets: a page saying so, with the way back, rather than an API's JSON.</summary>
    public static async Task WriteNoPageAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.ContentType = "text/html; charset=utf-8";
        var status = context.Response.StatusCode;
        var what = status == StatusCodes.Status405MethodNotAllowed ? "This page does not take that request." : "There is no such page.";
        await context.Response.WriteAsync(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
            $"<title>{status} · Berth</title>" +
            $"<link rel=\"stylesheet\" href=\"{UiPaths.Assets}/berth.css\"></head><body><main><h1>{status}</h1>" +
            $"<p class=\"problem\" role=\"alert\">{what}</p><p><a href=\"{UiPaths.Repositories}\">Repositories</a></p></main></body></html>");
    }

    public static WebApplication MapBerthUi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapUiAssets();
        app.MapRazorPages();
        return app;
    }
}
