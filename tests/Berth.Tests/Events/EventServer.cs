using Berth.Tests.Support;

namespace Berth.Tests.Events;

/// <summary>Starts servers whose events go to test listeners, with a short backoff so that retries come quickly.</summary>
public static class EventServer
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Settings for endpoint <paramref name="index"/>: its URL, a backoff of 50 ms, and <paramref name="more"/> (names under the endpoint).</summary>
    public static IEnumerable<string> Endpoint(int index, EventListener listener, params (string Name, string Value)[] more)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var prefix = $"--Berth:Notifications:Endpoints:{index}";
        yield return $"{prefix}:Url={listener.Url}";
        yield return $"{prefix}:Backoff=00:00:00.050";
        yield return $"{prefix}:MaxBackoff=00:00:00.200";
        foreach (var (name, value) in more)
        {
            yield return $"{prefix}:{name}={value}";
        }
    }

    public static Task<ServerProcess> StartAsync(string folder, string dataDir, IEnumerable<string> settings) =>
        ServerProcess.StartAsync(folder, ["--data-dir", dataDir, .. settings]);
}
