using System.Diagnostics;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.EndToEnd;

/// <summary>Import ceilings out of range stop the server before it listens, naming the setting at fault.</summary>
[NonParallelizable]
public sealed class ImportLimitStartUpTests : FolderPerTest
{
    [TestCase("--Berth:Imports:MemoryBudgetBytes=1000", "Berth:Imports:MemoryBudgetBytes (1000) must be at least Berth:Imports:MaxDocumentBytes")]
    [TestCase("--Berth:Imports:MaxDocumentBytes=4294967296", "Berth:Imports:MaxDocumentBytes must be between 1 and 1073741824")]
    [TestCase("--Berth:Imports:MaxListedInErrors=0", "Berth:Imports:MaxListedInErrors must be between 1 and 100")]
    public async Task LimitOutOfRange_StopsStartUp_NamingTheSetting(string setting, string message)
    {
        using var process = Process.Start(ServerProcess.StartInfo(Folder.Path, "--urls", "http://127.0.0.1:0", "--data-dir", Folder.Combine("data"), setting))!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(process.ExitCode, Is.EqualTo(2));
            Assert.That(await errors, Does.Contain("berth: cannot start: ").And.Contain(message));
            Assert.That(await output, Does.Not.Contain("Now listening"));
        }
    }
}
