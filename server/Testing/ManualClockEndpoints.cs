using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Server.Configuration;
using Berth.Server.Errors;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Server.Testing;

/// <summary>
/// TEST ONLY: <c>POST /pulp/api/v2/testing/clock/</c> <c>{"advance_seconds": N}</c> moves the manual clock forward
/// and answers <c>{"now"}</c>; timers that fall due have fired when it answers (their work may still be running).
/// Mapped only when <see cref="TestingOptions.ManualClock"/> is set, otherwise the address does not exist; only
/// administrators may use it.
/// </summary>
public static class ManualClockEndpoints
{
    // Ten years: beyond any expiry or period the server knows, and far from overflowing a date.
    private const double MaxAdvanceSeconds = 10 * 366 * 24 * 3600.0;

    public static void MapManualClockEndpoints(this IEndpointRouteBuilder routes) =>
        TestingEndpoint.MapPost(routes, testing => testing.ManualClock, "clock", "advance_seconds", (field, services) =>
        {
            var seconds = field is JsonValue value && value.TryGetValue<double>(out var number) && number > 0 && number <= MaxAdvanceSeconds
                ? number
                : throw ApiException.Invalid($"request.advance_seconds must be a number of seconds above 0 and at most {MaxAdvanceSeconds}");
            var manual = (FakeTimeProvider)services.GetRequiredService<TimeProvider>();
            manual.Advance(TimeSpan.FromSeconds(seconds));
            return new JsonObject { ["now"] = manual.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) };
        });
}
