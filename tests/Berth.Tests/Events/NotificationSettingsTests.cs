using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Events;

/// <summary>An endpoint that could never be delivered to stops the server at start, in one line naming the setting.</summary>
[NonParallelizable]
public sealed class NotificationSettingsTests : FolderPerTest
{
    [TestCase("Url=not-an-address", "Berth:Notifications:Endpoints:0:Url must be an absolute http or https address, not 'not-an-address'")]
    [TestCase("Url=ftp://127.0.0.1/events", "Berth:Notifications:Endpoints:0:Url must be an absolute http or https address")]
    [TestCase("Actions:0=shove", "Berth:Notifications:Endpoints:0:Actions names 'shove', which is none of push, pull, delete, mount")]
    [TestCase("Headers:Content-Type=text/plain", "Berth:Notifications:Endpoints:0:Headers names 'Content-Type', which cannot be sent as a request header")]
    [TestCase("Timeout=00:00:00", "Berth:Notifications:Endpoints:0:Timeout must be more than zero")]
    [TestCase("MaxBackoff=00:00:00.001", "Berth:Notifications:Endpoints:0:MaxBackoff must be at least Backoff")]
    [TestCase("Timeout=soon", "Failed to convert configuration value 'soon' at 'Berth:Notifications:Endpoints:0:Timeout'")]
    public async Task MalformedEndpoint_StopsTheStart_InOneLine(string setting, string expected)
    {
        var arguments = new List<string> { "--urls", "http://127.0.0.1:0", "--data-dir", Folder.Combine("data") };
        if (!setting.StartsWith("Url=", StringComparison.Ordinal))
        {
            arguments.Add("--Berth:Notifications:Endpoints:0:Url=http://127.0.0.1:9/events");
        }

        arguments.Add($"--Berth:Notifications:Endpoints:0:{setting}");

        await StartRefusal.AssertAsync(Folder.Path, arguments, expected);
    }

    [Test]
    public async Task TwoEndpointsOfOneName_StopTheStart_InOneLine()
    {
        var exit = await ServerProcess.RunToExitAsync(
            ServerProcess.StartInfo(
                Folder.Path,
                "--urls",
                "http://127.0.0.1:0",
                "--data-dir",
                Folder.Combine("data"),
                "--Berth:Notifications:Endpoints:0:Url=http://127.0.0.1:9/a",
                "--Berth:Notifications:Endpoints:0:Name=hook",
                "--Berth:Notifications:Endpoints:1:Url=http://127.0.0.1:9/b",
                "--Berth:Notifications:Endpoints:1:Name=hook"),
            TimeSpan.FromSeconds(60));

        Assert.That(exit.Code, Is.EqualTo(2));
        Assert.That(exit.Errors.TrimEnd(), Is.EqualTo("berth: cannot start: Berth:Notifications:Endpoints:1 is named 'hook' like an endpoint before it: give each endpoint its own Name"));
    }
}
