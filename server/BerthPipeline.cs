using Berth.Server.Errors;
using Berth.Server.Importers;
using Berth.Server.Imports;
using Berth.Server.Plugins;
using Berth.Server.Repositories;
using Berth.Server.Status;
using Berth.Server.Units;
using Berth.Server.Uploads;

namespace Berth.Server;

/// <summary>The request pipeline and every endpoint.</summary>
public static class BerthPipeline
{
    public static WebApplication UseBerth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<ContentApiErrorMiddleware>();
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (!ContentApi.Owns(http.Request.Path) || http.Response.ContentLength > 0 || http.Response.ContentType is not null)
            {
                return;
            }

            var (error, message) = http.Response.StatusCode == StatusCodes.Status405MethodNotAllowed
                ? (ApiError.MethodNotAllowed, $"{http.Request.Method} is not allowed on {http.Request.Path}")
                : (ApiError.MissingResource, $"there is no endpoint {http.Request.Method} {http.Request.Path}");
            if (http.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
            {
                await ContentApiErrorMiddleware.WriteAsync(http, error, message, []);
            }
        });

        app.MapStatusEndpoints();
        app.MapPluginEndpoints();
        app.MapRepositoryEndpoints();
        app.MapImporterEndpoints();
        app.MapUploadEndpoints();
        app.MapImportEndpoints();
        app.MapUnitSearchEndpoints();
        return app;
    }
}
