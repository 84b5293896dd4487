using System.Security.Cryptography;

namespace Berth.Tests.Support;

/// <summary>
/// Two servers on one database and bucket (the storage must be PostgreSQL and S3), with one token signing key and data
/// folders of their own, behind a <see cref="LoadBalancer"/>: clients talk to the balancer, tests may reach each server.
/// </summary>
public sealed class ReplicaSet : BerthHost
{
    private readonly string _dataDir;

    private ReplicaSet(IReadOnlyList<ServerProcess> servers, LoadBalancer balancer, string dataDir)
    {
        Servers = servers;
        Balancer = balancer;
        _dataDir = dataDir;
    }

    public IReadOnlyList<ServerProcess> Servers { get; }

    public LoadBalancer Balancer { get; }

    /// <summary>The first server's data folder (each has its own; content and metadata are shared).</summary>
    public override string DataDir => _dataDir;

    /// <summary>Starts the servers with <paramref name="arguments"/> (settings, the storage's among them) and the balancer in front.</summary>
    public static async Task<ReplicaSet> StartAsync(TempFolder folder, IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(folder);
        LoadBalancer.Require();
        var keyFile = folder.Combine("token-signing-key.pem");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());
        }

        var servers = new List<ServerProcess>();
        try
        {
            foreach (var replica in new[] { "replica-1", "replica-2" })
            {
                servers.Add(await ServerProcess.StartAsync(
                    folder.Path, ["--data-dir", folder.Combine(replica), .. arguments, $"--Berth:Auth:TokenSigningKeyFile={keyFile}"]));
            }

            return new ReplicaSet(servers, await LoadBalancer.StartAsync(folder.Path, [.. servers.Select(s => s.BaseAddress)]), folder.Combine("replica-1"));
        }
        catch
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            throw;
        }
    }

    public override HttpClient CreateAnonymousClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Balancer.Address, Timeout = TimeSpan.FromMinutes(5) };

    public override async Task<IReadOnlyList<string>> DrainErrorsAsync()
    {
        var errors = new List<string>();
        foreach (var server in Servers)
        {
            errors.AddRange(await server.DrainErrorsAsync());
        }

        return errors;
    }

    protected override IReadOnlyList<string> DrainAudit() => [.. Servers.SelectMany(s => s.DrainAudit())];

    public override async ValueTask DisposeAsync()
    {
        await Balancer.DisposeAsync();
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }
    }
}
