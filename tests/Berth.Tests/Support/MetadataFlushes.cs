using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Berth.Tests.Support;

/// <summary>
/// The metadata store's flushes, seen from a test against a server started with <c>Berth:Testing:HoldableFlushes</c>:
/// holding and releasing them, and the store's figures (writes committed, reads, flushes) from the status metrics.
/// </summary>
public static class MetadataFlushes
{
    public static async Task HoldAsync(HttpClient http, bool held)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var response = await http.PostAsJsonAsync("/pulp/api/v2/testing/flushes/", new JsonObject { ["held"] = held });
        Assert.That((await ContentApiClient.ReadAsync(response, HttpStatusCode.OK))["held"]!.GetValue<bool>(), Is.EqualTo(held));
    }

    public static async Task<StoreFigures> FiguresAsync(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var response = await http.GetAsync("/pulp/api/v2/status/metrics/");
        var totals = (await ContentApiClient.ReadAsync(response, HttpStatusCode.OK)).AsObject();

        // A counter's sum counts what it counts; a histogram's count, the flushes it timed.
        return new StoreFigures(
            Read(totals, "berth.store.writes", "sum"), Read(totals, "berth.store.reads", "sum"), Read(totals, "berth.store.flush", "count"));
    }

    private static long Read(JsonObject totals, string instrument, string field) => (long)(totals[instrument]?[field]?.GetValue<double>() ?? 0);
}

/// <summary>The metadata store's totals since the server started.</summary>
public sealed record StoreFigures(long Writes, long Reads, long Flushes);
