using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Repositories;
using Microsoft.Extensions.Options;

namespace Berth.Server.Registry;

/// <summary>
/// <c>GET /v2/_catalog</c>: the registry names of the repositories the caller may pull, in lexical order, paged.
/// Registry tokens need the <c>registry:catalog:*</c> scope.
/// </summary>
public sealed class CatalogHandler(RepositoryService repositories, AccessControl access, IOptions<BerthOptions> options)
{
    public async Task<IResult> ListAsync(HttpContext context)
    {
        var caller = await access.RequireSignedInAsync(context, RegistryScope.Catalog);
        if (caller.Registry is { Catalog: false })
        {
            throw new AccessDeniedException(AccessFailure.Unauthenticated, "the token does not grant the catalog; ask for registry:catalog:*", RegistryScope.Catalog);
        }

        var names = (await repositories.ListAsync(context.RequestAborted))
            .Where(r => r.RegistryName is not null && CanPull(caller, r))
            .Select(r => r.RegistryName!.Value.Value)
            .Order(StringComparer.Ordinal);
        var page = Paging.Read(context.Request, names, options.Value.MaxPageSize);
        Paging.LinkNext(context, $"{RegistryApi.Root}/_catalog", page);
        return Results.Json(new Catalog(page.Items), RegistryJsonContext.Api.Catalog);
    }

    // A registry token carries access to the catalog, not to each repository in it: the user's grants, narrowed
    // by the API token the registry token was issued from (if any), decide.
    private static bool CanPull(Caller caller, Repository repository) =>
        repository.AnonymousPull || caller.ReachableOn(repository.Id, repository.RegistryName?.Value).HasFlag(AccessAction.Pull);
}
