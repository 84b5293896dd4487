using Berth.Server.Repositories;

namespace Berth.Server.Registry;

/// <summary><c>GET /v2/_catalog</c>: the registry names of every repository served, in lexical order, paged.</summary>
public sealed class CatalogHandler(RepositoryService repositories)
{
    public async Task<IResult> ListAsync(HttpContext context)
    {
        var names = (await repositories.ListAsync(context.RequestAborted))
            .Where(r => r.RegistryName is not null)
            .Select(r => r.RegistryName!.Value.Value)
            .Order(StringComparer.Ordinal);
        var page = Paging.Read(context.Request, names);
        Paging.LinkNext(context, $"{RegistryApi.Root}/_catalog", page);
        return Results.Json(new Catalog(page.Items), RegistryJsonContext.Api.Catalog);
    }
}
