using System.Diagnostics;
using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.EndToEnd;

/// <summary>The first administrator and the signing key, as the real server creates them on its first start.</summary>
[NonParallelizable]
public sealed class AdministratorTests : FolderPerTest
{
    private ProcessStartInfo StartWithoutPassword(string dataDir)
    {
        var start = ServerProcess.StartInfo(Folder.Path, "--urls", "http://127.0.0.1:0", "--data-dir", dataDir);
        start.Environment.Remove("BERTH_ADMIN_PASSWORD");
        return start;
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task WithoutAConfiguredPassword_ARandomOneIsKeptInAPrivateFile_AndNeverLogged()
    {
        var dataDir = Folder.Combine("data");
        string password;
        await using (var server = await ServerProcess.StartAsync(StartWithoutPassword(dataDir)))
        {
            var file = Path.Combine(dataDir, "admin-password");
            password = (await File.ReadAllTextAsync(file)).Trim();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(password, Has.Length.GreaterThanOrEqualTo(20));
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
                Assert.That(File.GetUnixFileMode(Path.Combine(dataDir, "token-signing-key.pem")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
                Assert.That(server.Output, Does.Contain("Created user admin with a generated password, written to " + file));
                Assert.That(server.Output, Does.Not.Contain(password), "logs are shipped and kept: the password must not be in them");
            }

            using var client = server.CreateAnonymousClient().SignIn("admin", password);
            using var response = await client.GetAsync($"{ContentApiClient.Root}/users/admin/");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await server.StopAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(StartWithoutPassword(dataDir));
        Assert.That(restarted.Output, Does.Not.Contain("Created user admin"), "the user is created only on the first start");
        using var again = restarted.CreateAnonymousClient().SignIn("admin", password);
        using var stillValid = await again.GetAsync($"{ContentApiClient.Root}/users/admin/");
        Assert.That(stillValid.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task WithBerthAdminPassword_ThatIsThePassword_AndNoFileIsWritten()
    {
        var dataDir = Folder.Combine("data");
        await using var server = await ServerProcess.StartAsync(Folder.Path, "--data-dir", dataDir);
        using var client = server.CreateClient();
        using var response = await client.GetAsync($"{ContentApiClient.Root}/users/admin/");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(File.Exists(Path.Combine(dataDir, "admin-password")), Is.False);
            Assert.That(server.Output, Does.Not.Contain(TestCredentials.AdminPassword));
        }
    }
}
