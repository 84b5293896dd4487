using System.Diagnostics;
using System.Net;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Startup;

/// <summary>
/// <c>BERTH_ADMIN_PASSWORD</c> sets the admin's password on a data folder's first start only; set on a later start,
/// the server says in its log that it was ignored and how to change the password (issue 15, item 3).
/// </summary>
[NonParallelizable]
public sealed class AdminPasswordTests : FolderPerTest
{
    [Test]
    public async Task BerthAdminPassword_OnALaterStart_IsIgnored_AndTheLogSaysSo()
    {
        var dataDir = Folder.Combine("data");
        await using (var first = await ServerProcess.StartAsync(Start(dataDir, password: null)))
        {
            Assert.That(first.Output, Does.Not.Contain("is ignored"));
            await first.StopAsync();
        }

        var generated = (await File.ReadAllTextAsync(Path.Combine(dataDir, "admin-password"))).Trim();
        await using var restarted = await ServerProcess.StartAsync(Start(dataDir, password: "change-me-please"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                restarted.Output,
                Does.Contain($"BERTH_ADMIN_PASSWORD is ignored: {dataDir} already has its users")
                    .And.Contain("PUT /pulp/api/v2/users/admin/")
                    .And.Contain(Path.Combine(dataDir, "admin-password")));
            Assert.That(restarted.Output, Does.Not.Contain("change-me-please"), "the log never holds a password");
        }

        using var ignored = restarted.CreateAnonymousClient().SignIn("admin", "change-me-please");
        using var refused = await ignored.GetAsync($"{ContentApiClient.Root}/users/admin/");
        using var kept = restarted.CreateAnonymousClient().SignIn("admin", generated);
        using var accepted = await kept.GetAsync($"{ContentApiClient.Root}/users/admin/");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public async Task BerthAdminPassword_OnTheFirstStart_IsNotReportedIgnored()
    {
        await using var server = await ServerProcess.StartAsync(Start(Folder.Combine("data"), password: "change-me-please"));
        Assert.That(server.Output, Does.Contain("Created user admin with the password from the configuration").And.Not.Contain("is ignored"));
    }

    private ProcessStartInfo Start(string dataDir, string? password)
    {
        var start = ServerProcess.StartInfo(Folder.Path, "--urls", "http://127.0.0.1:0", "--data-dir", dataDir);
        if (password is null)
        {
            start.Environment.Remove("BERTH_ADMIN_PASSWORD");
        }
        else
        {
            start.Environment["BERTH_ADMIN_PASSWORD"] = password;
        }

        return start;
    }
}
