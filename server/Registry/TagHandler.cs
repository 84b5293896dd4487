using Berth.Server.Configuration;
using Docker.Common;
using Docker.Common.References;
using Microsoft.Extensions.Options;

namespace Berth.Server.Registry;

/// <summary>The tags of a repository (end-8a/8b), in lexical order, paged with <c>n</c> and <c>last</c>.</summary>
public sealed class TagHandler(RegistryRepositories registry, RepositoryContent content, IOptions<BerthOptions> options)
{
    public async Task<IResult> ListAsync(HttpContext context, RegistryName name)
    {
        var repository = await registry.ForPullAsync(context, name);
        var tags = (await content.AllAsync(repository, [DockerUnitTypes.Tag], context.RequestAborted))
            .Select(t => t.Key[DockerUnitTypes.Fields.Name]!)
            .Order(StringComparer.Ordinal);
        var page = Paging.Read(context.Request, tags, options.Value.MaxPageSize);
        Paging.LinkNext(context, $"{RegistryApi.Root}/{name}/tags/list", page);
        return Results.Json(new TagList(name.Value, page.Items), RegistryJsonContext.Api.TagList);
    }
}
