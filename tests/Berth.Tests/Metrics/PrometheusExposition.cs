using System.Diagnostics;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Berth.Tests.Metrics;

/// <summary>One sample of a scrape: its series name (with <c>_total</c>, <c>_count</c>, <c>_bucket</c>...), labels and value.</summary>
public sealed record MetricSample(string Family, string Type, string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A scrape parsed by a real Prometheus parser: Debian's <c>python3-prometheus-client</c> (the Python client's own
/// parsers, for the text format and for OpenMetrics), run as a process. Missing, it makes a test inconclusive with the
/// command that installs it, except under CI (<c>CI=true</c>), where it is a failure, as for skopeo.
/// </summary>
public static class PrometheusExposition
{
    public const string InstallCommand = "sudo apt-get install -y python3-prometheus-client";

    // The first python3 on the PATH that has the client: Debian's package installs it for Debian's interpreter, and a
    // pyenv or venv python3 may come before that one on the PATH without it.
    private static readonly Lazy<string?> Python = new(() => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(folder => System.IO.Path.Combine(folder, "python3"))
        .Where(File.Exists)
        .FirstOrDefault(python => Run(python, ["-c", "import prometheus_client"], string.Empty).ExitCode == 0));

    private const string Script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families as text_format
        from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
        parse = openmetrics if sys.argv[1] == "openmetrics" else text_format
        out = []
        for family in parse(sys.stdin.read()):
            for s in family.samples:
                out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
        json.dump(out, sys.stdout)
        """;

    public static void Require()
    {
        if (Python.Value is not null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"python3-prometheus-client is required under CI and is not installed; .ci/run should install it ({InstallCommand})");
        }

        Assert.Ignore($"python3-prometheus-client is not installed; install it to run the metrics tests: {InstallCommand}");
    }

    /// <summary>Parses a scrape in the Prometheus text format, or in OpenMetrics; fails the test when the parser refuses it.</summary>
    public static IReadOnlyList<MetricSample> Parse(string exposition, bool openMetrics = false)
    {
        var (exitCode, output) = Run(Python.Value!, ["-c", Script, openMetrics ? "openmetrics" : "text"], exposition);
        Assert.That(exitCode, Is.Zero, $"the parser refused the exposition:\n{output}\n--- exposition ---\n{exposition}");
        return [.. JsonNode.Parse(output)!.AsArray().Select(s => new MetricSample(
            s!["family"]!.GetValue<string>(),
            s["type"]!.GetValue<string>(),
            s["name"]!.GetValue<string>(),
            s["labels"]!.AsObject().ToDictionary(l => l.Key, l => l.Value!.GetValue<string>(), StringComparer.Ordinal),
            s["value"]!.GetValue<double>()))];
    }

    private static (int ExitCode, string Output) Run(string python, IEnumerable<string> arguments, string input)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        process.WaitForExit();
        return (process.ExitCode, output.Result + errors.Result);
    }
}
