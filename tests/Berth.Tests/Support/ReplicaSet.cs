using System.Security.Cryptography;

namespace Berth.Tests.Support;

/// <summary>
/// Two servers on one database and bucket (the storage must be PostgreSQL and S3), with one token signing key and data
/// folders of their own, behind a <see cref="LoadBalancer"/>: clients talk to the balancer, tests may reach each server.
/// </summary>
public sealed class ReplicaSet : BerthHost
{
    private readonly string _dataDir;
    private readonly string _workingDirectory;
    private readonly List<ServerProcess> _servers;
    private readonly IReadOnlyList<string[]> _arguments;

    private ReplicaSet(List<ServerProcess> servers, IReadOnlyList<string[]> arguments, LoadBalancer balancer, string workingDirectory, string dataDir)
    {
        _servers = servers;
        _arguments = arguments;
        Balancer = balancer;
        _workingDirectory = workingDirectory;
        _dataDir = dataDir;
    }

    public IReadOnlyList<ServerProcess> Servers => _servers;

    public LoadBalancer Balancer { get; }

    /// <summary>The first server's data folder (each has its own; content and metadata are shared).</summary>
    public override string DataDir => _dataDir;

    /// <summary>Starts the servers with <paramref name="arguments"/> (settings, the storage's among them) and the balancer in front.</summary>
    public static async Task<ReplicaSet> StartAsync(TempFolder folder, IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(folder);
        LoadBalancer.Require();
        // Kept when the set starts again in the same folder, as an operator keeps it: ids and tokens it signed still hold.
        var keyFile = folder.Combine("token-signing-key.pem");
        if (!File.Exists(keyFile))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());
        }

        var servers = new List<ServerProcess>();
        var replicas = new[] { "replica-1", "replica-2" }
            .Select(replica => (string[])["--data-dir", folder.Combine(replica), .. arguments, $"--Berth:Auth:TokenSigningKeyFile={keyFile}", "--Berth:Clients:TrustedProxies:0=127.0.0.1"])
            .ToList();
        try
        {
            foreach (var replica in replicas)
            {
                servers.Add(await ServerProcess.StartAsync(folder.Path, replica));
            }

            var balancer = await LoadBalancer.StartAsync(folder.Path, [.. servers.Select(s => s.BaseAddress)]);
            return new ReplicaSet(servers, replicas, balancer, folder.Path, folder.Combine("replica-1"));
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

    /// <summary>Starts a replica that was killed again, on its address and with its data folder, as an operator's supervisor would.</summary>
    public async Task RestartAsync(int index)
    {
        var dead = _servers[index];
        await dead.KillAsync();
        var address = dead.BaseAddress;
        await dead.DisposeAsync();
        _servers[index] = await ServerProcess.StartAsync(_workingDirectory, [.. _arguments[index], "--urls", $"http://{address.Authority}"]);
    }

    public override IReadOnlyList<HttpClient> CreateClientsOfEachServer() => [.. _servers.Select(s => s.CreateClient())];

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
