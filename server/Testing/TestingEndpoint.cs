using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Json;
using Microsoft.Extensions.Options;

namespace Berth.Server.Testing;

/// <summary>
/// How a TEST ONLY endpoint is mapped: under <c>/pulp/api/v2/testing/</c>, only when its testing option is set (otherwise
/// the address does not exist), for administrators, taking a JSON object with one field and answering a JSON object.
/// </summary>
internal static class TestingEndpoint
{
    public static void MapPost(
        IEndpointRouteBuilder routes, Func<TestingOptions, bool> enabled, string name, string field, Func<JsonNode?, IServiceProvider, JsonObject> handle)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (!enabled(routes.ServiceProvider.GetRequiredService<IOptions<BerthOptions>>().Value.Testing))
        {
            return;
        }

        routes.MapPost($"{ContentApi.Root}/testing/{name}/", async (HttpContext context, AccessControl access, IOptions<BerthOptions> options) =>
        {
            await access.RequireAdministratorAsync(context);
            var body = await JsonRequest.ReadObjectAsync(context.Request, options.Value.MaxJsonBodyBytes, context.RequestAborted);
            RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, field);
            return TypedResults.Json(handle(body[field], context.RequestServices), ContentApiJsonContext.Api.JsonObject);
        }).ExcludeFromDescription(); // Not part of the API: never in its OpenAPI document.
    }
}
