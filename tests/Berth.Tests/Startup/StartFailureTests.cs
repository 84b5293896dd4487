using System.Net;
using System.Net.Sockets;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Startup;

/// <summary>
/// A server that cannot start says why in one line, with no stack trace or noise before it, and creates nothing
/// it would have to take back: an address in use stops it before it touches a new data folder (issue 15, item 2).
/// </summary>
[NonParallelizable]
public sealed class StartFailureTests : FolderPerTest
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task AddressInUse_OneClearLine_AndNothingCreatedInTheDataFolder()
    {
        var dataDir = Folder.Combine("data");
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)holder.LocalEndpoint).Port}";
        var start = ServerProcess.StartInfo(Folder.Path, "--urls", address, "--data-dir", dataDir);
        start.Environment.Remove("BERTH_ADMIN_PASSWORD");

        var exit = await ServerProcess.RunToExitAsync(start, Bound);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit.Code, Is.EqualTo(2));
            Assert.That(exit.Errors.TrimEnd().Split('\n'), Is.EqualTo(new[] { $"berth: cannot start: {address} is already in use (by another server, or another program): stop it, or choose another address with --urls http://127.0.0.1:PORT" }));
            AssertNoNoise(exit.Output);
            Assert.That(Directory.Exists(dataDir), Is.False, "no data folder, hence no administrator whose generated password nobody saw");
        }

        // The next start on a free address is the data folder's first: the password given then is the admin's.
        await using var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir);
        using var http = server.CreateClient();
        using var response = await http.GetAsync($"{ContentApiClient.Root}/users/admin/");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task SecondServerOnTheSameDataFolder_OneClearLine_AndNoStackTrace()
    {
        var dataDir = Folder.Combine("data");
        await using var first = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir);

        var exit = await ServerProcess.RunToExitAsync(ServerProcess.StartInfo(Folder.Path, "--urls", "http://127.0.0.1:0", "--data-dir", dataDir), Bound);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit.Code, Is.EqualTo(2));
            Assert.That(exit.Errors.TrimEnd().Split('\n'), Has.Length.EqualTo(1), exit.Errors);
            Assert.That(exit.Errors, Does.StartWith($"berth: cannot start: data folder: {dataDir} is in use by another Berth server").And.Contain("--data-dir"));
            AssertNoNoise(exit.Output);
        }

        using var http = first.CreateClient();
        await new ContentApiClient(http).CreateRepositoryAsync("still-served");
    }

    [Test]
    public async Task PostgreSqlWithoutAConnectionString_OneClearLine()
    {
        var exit = await RunToOneLineAsync("--Berth:Metadata:Provider=PostgreSql");
        Assert.That(exit.Errors, Does.Contain("Berth:Metadata:ConnectionString is not set"));
    }

    [Test]
    public async Task PostgreSqlThatDoesNotAnswer_OneClearLine_SayingWhatToCheck()
    {
        // A loopback port nothing listens on: taken, then given back.
        int port;
        using (var taken = new TcpListener(IPAddress.Loopback, 0))
        {
            taken.Start();
            port = ((IPEndPoint)taken.LocalEndpoint).Port;
        }

        var exit = await RunToOneLineAsync(
            "--Berth:Metadata:Provider=PostgreSql",
            $"--Berth:Metadata:ConnectionString=Host=127.0.0.1;Port={port};Database=berth;Username=berth;Password=secret-not-shown;Timeout=5");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit.Errors, Does.StartWith("berth: cannot start: metadata database: ").And.Contain($"127.0.0.1:{port}").And.Contain("Berth:Metadata:ConnectionString"));
            Assert.That(exit.Errors + exit.Output, Does.Not.Contain("secret-not-shown"), "the password is never printed");
        }
    }

    [Test]
    public async Task S3WithoutABucket_OneClearLine()
    {
        var exit = await RunToOneLineAsync("--Berth:Content:Provider=S3");
        Assert.That(exit.Errors, Does.Contain("Berth:Content:S3:Bucket is not set"));
    }

    [Test]
    public async Task ABucketThatDoesNotAnswer_OneClearLine_NamingIt()
    {
        var gateway = await RadosGateway.SharedAsync();
        var exit = await RunToOneLineAsync(
            "--Berth:Content:Provider=S3",
            $"--Berth:Content:S3:ServiceUrl={gateway.ServiceUrl}",
            "--Berth:Content:S3:Bucket=no-such-bucket",
            "--Berth:Content:S3:ForcePathStyle=true",
            $"--Berth:Content:S3:AccessKey={gateway.AccessKey}",
            $"--Berth:Content:S3:SecretKey={gateway.SecretKey}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit.Errors, Does.StartWith("berth: cannot start: content store: bucket 'no-such-bucket' at ").And.Contain("Berth:Content:S3"));
            Assert.That(exit.Errors + exit.Output, Does.Not.Contain(gateway.SecretKey), "the secret key is never printed");
        }
    }

    /// <summary>Starts a server on a data folder of its own with these settings; it must stop at once with exit code 2 and one line, no noise before it.</summary>
    private async Task<ServerExit> RunToOneLineAsync(params string[] settings)
    {
        var exit = await ServerProcess.RunToExitAsync(
            ServerProcess.StartInfo(Folder.Path, ["--urls", "http://127.0.0.1:0", "--data-dir", Folder.Combine("data"), .. settings]), Bound);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit.Code, Is.EqualTo(2), exit.Errors);
            Assert.That(exit.Errors.TrimEnd().Split('\n'), Has.Length.EqualTo(1), exit.Errors);
            AssertNoNoise(exit.Output);
        }

        return exit;
    }

    private static void AssertNoNoise(string output)
    {
        Assert.That(output, Does.Not.Contain("fail:").And.Not.Contain("crit:"), "no error entries before the line that says why");
        Assert.That(output, Does.Not.Contain("   at "), "no stack trace");
    }
}
