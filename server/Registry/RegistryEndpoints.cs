namespace Berth.Server.Registry;

/// <summary>
/// The registry API under <c>/v2/</c>. Names hold slashes, which route templates cannot place before a fixed
/// suffix, so one catch-all route takes every request and <see cref="RegistryRoute"/> says which endpoint it is.
/// </summary>
public static class RegistryEndpoints
{
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

    public static void MapRegistryEndpoints(this IEndpointRouteBuilder routes)
    {
        // The OCI distribution spec describes this API; the OpenAPI document leaves it out.
        routes.MapMethods($"{RegistryApi.Root}/{{**path}}", Methods, DispatchAsync).ExcludeFromDescription();
    }

    private static async Task<IResult> DispatchAsync(HttpContext context, string? path)
    {
        // Docker clients probe for this header; every registry response carries it.
        context.Response.Headers[RegistryApi.ApiVersionHeader] = RegistryApi.ApiVersion;
        // Named before parsing: a path that is no endpoint, or whose name breaks the grammar (Parse throws), gets the fixed label.
        Diagnostics.RequestRoute.Name(context, Diagnostics.RequestRoute.Unmatched);
        var route = RegistryRoute.Parse(path ?? string.Empty)
            ?? throw new RegistryException(RegistryError.NotFound, $"there is no endpoint {context.Request.Method} {context.Request.Path}");
        Diagnostics.RequestRoute.Name(context, route.Template);
        var services = context.RequestServices;
        var method = context.Request.Method;
        var isRead = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        switch (route.Endpoint)
        {
            case RegistryEndpoint.Base when isRead:
                // Clients probe here to learn how to sign in: anonymous callers get the challenge.
                await services.GetRequiredService<Access.AccessControl>().RequireSignedInAsync(context);
                return Results.Text("{}", "application/json");
            case RegistryEndpoint.Catalog when HttpMethods.IsGet(method):
                return await services.GetRequiredService<CatalogHandler>().ListAsync(context);
            case RegistryEndpoint.Manifest when isRead:
                return await services.GetRequiredService<ManifestHandler>().GetAsync(context, route.Name, route.Argument!);
            case RegistryEndpoint.Manifest when HttpMethods.IsPut(method):
                return await services.GetRequiredService<ManifestHandler>().PutAsync(context, route.Name, route.Argument!);
            case RegistryEndpoint.Manifest when HttpMethods.IsDelete(method):
                return await services.GetRequiredService<ManifestHandler>().DeleteAsync(context, route.Name, route.Argument!);
            case RegistryEndpoint.Blob when isRead:
                return await services.GetRequiredService<BlobHandler>().GetAsync(context, route.Name, route.Argument!);
            case RegistryEndpoint.Blob when HttpMethods.IsDelete(method):
                return await services.GetRequiredService<BlobHandler>().DeleteAsync(context, route.Name, route.Argument!);
            case RegistryEndpoint.BlobUploads when HttpMethods.IsPost(method):
                await services.GetRequiredService<BlobUploadHandler>().StartAsync(context, route.Name);
                return Results.Empty;
            case RegistryEndpoint.BlobUpload when HttpMethods.IsPatch(method):
                await services.GetRequiredService<BlobUploadHandler>().PatchAsync(context, route.Name, route.Argument!);
                return Results.Empty;
            case RegistryEndpoint.BlobUpload when HttpMethods.IsPut(method):
                await services.GetRequiredService<BlobUploadHandler>().PutAsync(context, route.Name, route.Argument!);
                return Results.Empty;
            case RegistryEndpoint.BlobUpload when HttpMethods.IsGet(method):
                await services.GetRequiredService<BlobUploadHandler>().StatusAsync(context, route.Name, route.Argument!);
                return Results.Empty;
            case RegistryEndpoint.BlobUpload when HttpMethods.IsDelete(method):
                await services.GetRequiredService<BlobUploadHandler>().CancelAsync(context, route.Name, route.Argument!);
                return Results.Empty;
            case RegistryEndpoint.TagsList when HttpMethods.IsGet(method):
                return await services.GetRequiredService<TagHandler>().ListAsync(context, route.Name);
            case RegistryEndpoint.Referrers when HttpMethods.IsGet(method):
                return await services.GetRequiredService<ReferrerHandler>().ListAsync(context, route.Name, route.Argument!);
            default:
                throw new RegistryException(RegistryError.Unsupported, $"{method} is not supported on {context.Request.Path}");
        }
    }
}
