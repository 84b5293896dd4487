using System.Diagnostics;
using System.Globalization;
using NUnit.Framework;

namespace Berth.Tests.Support;

/// <summary>
/// HAProxy from Debian in front of servers on loopback, as an operator runs replicas: round robin per request, no
/// affinity, each server checked on <c>/readyz</c> every 300 ms and taken out after two failed checks. Its statistics
/// (CSV) say when every server is up. Stopped (killed) when disposed.
/// </summary>
public sealed class LoadBalancer : IAsyncDisposable
{
    public const string InstallCommand = "sudo apt-get install -y --no-install-recommends haproxy";
    private const string Executable = "/usr/sbin/haproxy";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly int _statsPort;

    private LoadBalancer(Process process, Uri address, int statsPort)
    {
        _process = process;
        Address = address;
        _statsPort = statsPort;
    }

    /// <summary>Where clients reach the servers.</summary>
    public Uri Address { get; }

    /// <summary>Starts a balancer in front of <paramref name="servers"/> and waits until it takes all of them up.</summary>
    public static async Task<LoadBalancer> StartAsync(string folder, IReadOnlyList<Uri> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        Require();

        var ports = LoopbackPorts.Take(2);
        var (port, statsPort) = (ports[0], ports[1]);
        var config = Path.Combine(folder, "haproxy.cfg");
        await File.WriteAllTextAsync(config, Config(port, statsPort, servers));
        var start = new ProcessStartInfo(Executable, ["-db", "-f", config]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("haproxy did not start");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var balancer = new LoadBalancer(process, new Uri($"http://127.0.0.1:{port}"), statsPort);
        if (!await Eventually.WaitAsync(async () => !process.HasExited && await balancer.UpCountAsync() == servers.Count, Bound))
        {
            await balancer.DisposeAsync();
            Assert.Fail($"HAProxy did not take the {servers.Count} servers up within {Bound.TotalSeconds} s:\n{Snapshot(output)}");
        }

        return balancer;
    }

    /// <summary>Ignores the test (fails it under CI) when HAProxy is not installed.</summary>
    public static void Require()
    {
        if (!File.Exists(Executable))
        {
            RequiredEngine.Missing("HAProxy", "replica", InstallCommand);
        }
    }

    /// <summary>How many servers the balancer sends requests to now.</summary>
    public async Task<int> UpCountAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            var csv = await client.GetStringAsync(new Uri($"http://127.0.0.1:{_statsPort}/stats;csv"));

            // Columns: pxname, svname, ..., status (the 18th); one line per server, and the backend's own lines.
            return csv.Split('\n').Select(line => line.Split(',')).Count(fields => fields is ["replicas", var name, ..] && name.StartsWith('r') && fields.Length > 17 && fields[17] == "UP");
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static string Config(int port, int statsPort, IReadOnlyList<Uri> servers) => string.Join('\n', [
        "defaults",
        "    mode http",
        "    timeout connect 2s",
        "    timeout client 5m",
        "    timeout server 5m",
        "    option redispatch 1",
        "    retries 3",
        "frontend berth",
        $"    bind 127.0.0.1:{port}",
        "    default_backend replicas",
        "backend replicas",
        "    balance roundrobin",
        "    option httpchk GET /readyz",
        "    option forwardfor",
        "    default-server inter 300ms fall 2 rise 1",
        .. servers.Select((server, i) => string.Create(CultureInfo.InvariantCulture, $"    server r{i + 1} {server.Host}:{server.Port} check")),
        "listen stats",
        $"    bind 127.0.0.1:{statsPort}",
        "    stats enable",
        "    stats uri /stats",
        string.Empty]);

    private static void Append(System.Text.StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Snapshot(System.Text.StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
