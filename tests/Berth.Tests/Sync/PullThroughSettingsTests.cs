using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Sync;

/// <summary>An upstream proxied by name that could never be pulled from stops the server at start, in one line naming the setting.</summary>
[NonParallelizable]
public sealed class PullThroughSettingsTests : FolderPerTest
{
    [TestCase("Feed=ftp://127.0.0.1/", "Berth:PullThrough:0:Feed must be the http or https address of the upstream registry")]
    [TestCase("Feed=http://user:secret@127.0.0.1:9/", "Berth:PullThrough:0:Feed must be the http or https address of the upstream registry (credentials in Username and Password)")]
    [TestCase("Username=puller", "Berth:PullThrough:0:Username and Password go together")]
    public async Task AMalformedUpstream_StopsTheStart_InOneLine(string setting, string expected)
    {
        var arguments = new List<string> { "--urls", "http://127.0.0.1:0", "--data-dir", Folder.Combine("data"), "--Berth:PullThrough:0:Prefix=hub" };
        if (!setting.StartsWith("Feed=", StringComparison.Ordinal))
        {
            arguments.Add("--Berth:PullThrough:0:Feed=http://127.0.0.1:9/");
        }

        arguments.Add($"--Berth:PullThrough:0:{setting}");
        var errors = await StartRefusal.AssertAsync(Folder.Path, arguments, expected);
        Assert.That(errors, Does.Not.Contain("secret"), "a password in a refused address is not echoed");
    }
}
