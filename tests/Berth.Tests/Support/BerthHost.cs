using Microsoft.AspNetCore.Mvc.Testing;
using NUnit.Framework;

namespace Berth.Tests.Support;

/// <summary>A running server for a fixture, whichever <see cref="ServerKind"/> it is.</summary>
public abstract class BerthHost : IAsyncDisposable
{
    public abstract string DataDir { get; }

    /// <summary>
    /// A client of the server, signed in as the administrator, that does not follow redirects (registry tests look
    /// at Location themselves).
    /// </summary>
    public HttpClient CreateClient() => CreateAnonymousClient().SignIn();

    /// <summary>A client without credentials.</summary>
    public abstract HttpClient CreateAnonymousClient();

    /// <summary>A client of each server, signed in as the administrator: one for a single server, one per replica.</summary>
    public virtual IReadOnlyList<HttpClient> CreateClientsOfEachServer() => [CreateClient()];

    /// <summary>The server's services, for tests that reach inside a server running in this process; null otherwise.</summary>
    public virtual IServiceProvider? Services => null;

    /// <summary>The server's services; a test that needs them is ignored when its server runs elsewhere (the longer run's replicas).</summary>
    public IServiceProvider RequireServices()
    {
        if (Services is null)
        {
            Assert.Ignore("this test looks inside a server running in the test's own process, which this run's server is not");
        }

        return Services!;
    }

    /// <summary>What the server logged as errors since the last call, up to now.</summary>
    public abstract Task<IReadOnlyList<string>> DrainErrorsAsync();

    /// <summary>
    /// Waits until the audit lines the server wrote since the last call hold, for each of <paramref name="expected"/>,
    /// a line that contains all its parts; fails the test when they do not within the bound. A server process's
    /// output reaches the test a little after its responses: audit lines are only read this way.
    /// </summary>
    public async Task AssertAuditedAsync(params string[][] expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var lines = new List<string>();
        IEnumerable<string[]> Missing() => expected.Where(parts => !lines.Any(line => parts.All(part => line.Contains(part, StringComparison.Ordinal))));
        var complete = await Eventually.WaitAsync(
            () =>
            {
                lines.AddRange(DrainAudit());
                return !Missing().Any();
            },
            TimeSpan.FromSeconds(30));
        Assert.That(
            complete,
            Is.True,
            $"no audit line with {string.Join("; nor with ", Missing().Select(parts => string.Join(", ", parts)))} among:\n{string.Join('\n', lines)}");
    }

    /// <summary>The audit lines the server wrote since the last call, as far as they have reached the test.</summary>
    protected abstract IReadOnlyList<string> DrainAudit();

    public abstract ValueTask DisposeAsync();

    public static async Task<BerthHost> StartAsync(ServerKind kind, TempFolder folder, string? pluginsConfDir, IReadOnlyDictionary<string, string>? settings)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var dataDir = folder.Combine("data");
        if (kind == ServerKind.InProcess)
        {
            return new InProcess(new BerthApiFactory(dataDir, pluginsConfDir, settings));
        }

        var arguments = new List<string>();
        if (pluginsConfDir is not null)
        {
            arguments.AddRange(["--plugins-conf-dir", pluginsConfDir]);
        }

        arguments.AddRange((settings ?? new Dictionary<string, string>()).Select(s => $"--{s.Key}={s.Value}"));
        return kind == ServerKind.Replicas
            ? await ReplicaSet.StartAsync(folder, arguments)
            : new OwnProcess(await ServerProcess.StartAsync(folder.Path, ["--data-dir", dataDir, .. arguments]), dataDir);
    }

    private sealed class InProcess(BerthApiFactory factory) : BerthHost
    {
        public override string DataDir => factory.DataDir;

        public override IServiceProvider? Services => factory.Services;

        public override HttpClient CreateAnonymousClient() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        // The in-process log is written as the server logs, before it answers: nothing to wait for.
        public override Task<IReadOnlyList<string>> DrainErrorsAsync()
        {
            var errors = new List<string>();
            while (factory.ErrorLog.Errors.TryDequeue(out var error))
            {
                errors.Add(error);
            }

            return Task.FromResult<IReadOnlyList<string>>(errors);
        }

        protected override IReadOnlyList<string> DrainAudit()
        {
            var lines = new List<string>();
            while (factory.ErrorLog.Audit.TryDequeue(out var line))
            {
                lines.Add(line);
            }

            return lines;
        }

        public override ValueTask DisposeAsync() => factory.DisposeAsync();
    }

    private sealed class OwnProcess(ServerProcess process, string dataDir) : BerthHost
    {
        public override string DataDir => dataDir;

        public override HttpClient CreateAnonymousClient() =>
            new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };

        public override Task<IReadOnlyList<string>> DrainErrorsAsync() => process.DrainErrorsAsync();

        protected override IReadOnlyList<string> DrainAudit() => process.DrainAudit();

        public override ValueTask DisposeAsync() => process.DisposeAsync();
    }
}
