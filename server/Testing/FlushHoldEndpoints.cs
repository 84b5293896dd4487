using System.Text.Json.Nodes;
using Berth.Server.Configuration;
using Berth.Server.Errors;

namespace Berth.Server.Testing;

/// <summary>
/// TEST ONLY: <c>POST /pulp/api/v2/testing/flushes/</c> <c>{"held": true|false}</c> holds the metadata store's flushes or
/// lets them go, and answers <c>{"held"}</c>. Mapped only when <see cref="TestingOptions.HoldableFlushes"/> is set,
/// otherwise the address does not exist; only administrators may use it.
/// </summary>
public static class FlushHoldEndpoints
{
    public static void MapFlushHoldEndpoints(this IEndpointRouteBuilder routes) =>
        TestingEndpoint.MapPost(routes, testing => testing.HoldableFlushes, "flushes", "held", (field, services) =>
        {
            var held = field is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : throw ApiException.Invalid("request.held must be true or false");
            var hold = services.GetRequiredService<FlushHold>();
            if (held)
            {
                hold.Hold();
            }
            else
            {
                hold.Release();
            }

            return new JsonObject { ["held"] = hold.IsHeld };
        });
}
