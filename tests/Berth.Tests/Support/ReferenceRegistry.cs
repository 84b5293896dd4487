using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Docker.Common.Digests;

namespace Berth.Tests.Support;

/// <summary>
/// Debian's <c>docker-registry</c> (CNCF distribution, the reference registry) on a loopback port over a folder of its
/// own, as an upstream to sync from: filled through its own push API (<see cref="Client"/>), optionally behind basic
/// credentials (an htpasswd file of Apache's bcrypt, made by the test). Killed when disposed. Missing, it makes the
/// test inconclusive with the command that installs it, except under CI (<c>CI=true</c>), where it is a failure.
/// </summary>
public sealed class ReferenceRegistry : IAsyncDisposable
{
    public const string InstallCommand = "sudo apt-get install -y docker-registry";
    private const string Executable = "/usr/bin/docker-registry";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _output;

    private ReferenceRegistry(Process process, StringBuilder output, Uri address, string root, (string User, string Password)? credentials)
    {
        _process = process;
        _output = output;
        Address = address;
        Root = root;
        Credentials = credentials;
    }

    public Uri Address { get; }

    /// <summary>The folder the registry keeps its content in (<c>docker/registry/v2/...</c>).</summary>
    public string Root { get; }

    public (string User, string Password)? Credentials { get; }

    /// <summary>A client of the registry's own API, signed in when it needs credentials.</summary>
    public RegistryClient Client
    {
        get
        {
            var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
            if (Credentials is { } c)
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.User}:{c.Password}")));
            }

            return new RegistryClient(http);
        }
    }

    /// <summary>Where the registry keeps a blob's bytes: what a test changes to make it serve a blob that does not match.</summary>
    public string BlobPath(Digest digest) =>
        Path.Combine(Root, "docker", "registry", "v2", "blobs", digest.Algorithm.Name, digest.Encoded[..2], digest.Encoded, "data");

    public static async Task<ReferenceRegistry> StartAsync(string folder, (string User, string Password)? credentials = null)
    {
        Require();
        var root = Path.Combine(folder, "registry-data");
        Directory.CreateDirectory(root);
        var port = LoopbackPorts.Take();
        var auth = "";
        if (credentials is { } c)
        {
            var htpasswd = Path.Combine(folder, "htpasswd");
            await File.WriteAllTextAsync(htpasswd, $"{c.User}:{BCryptOf(c.Password)}\n");
            auth = $"auth:\n  htpasswd:\n    realm: upstream\n    path: {htpasswd}\n";
        }

        var config = Path.Combine(folder, "registry.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {root}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            {auth}
            """);
        var start = new ProcessStartInfo(Executable, ["serve", config]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new ReferenceRegistry(process, output, new Uri($"http://127.0.0.1:{port}"), root, credentials);
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        if (!await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    using var response = await probe.GetAsync(new Uri(registry.Address, "/v2/"));
                    return true;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            },
            Bound))
        {
            await registry.DisposeAsync();
            NUnit.Framework.Assert.Fail($"docker-registry did not answer within {Bound.TotalSeconds} s:\n{Snapshot(output)}");
        }

        return registry;
    }

    /// <summary>Ignores the test (fails it under CI) when the reference registry is not installed.</summary>
    public static void Require()
    {
        if (!File.Exists(Executable))
        {
            RequiredEngine.Missing("docker-registry (the reference registry)", "sync", InstallCommand);
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

    public override string ToString() => $"docker-registry at {Address}: {Snapshot(_output)}";

    // The registry's htpasswd takes bcrypt only; the hash is made by Apache's htpasswd when it is there.
    private static string BCryptOf(string password)
    {
        var start = new ProcessStartInfo("htpasswd", ["-nbB", "u", password]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("htpasswd did not start");
        var line = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..];
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
