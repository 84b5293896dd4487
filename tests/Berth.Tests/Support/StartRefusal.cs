using NUnit.Framework;

namespace Berth.Tests.Support;

/// <summary>A server start that settings must stop: exit code 2, and one line on standard error naming what is wrong.</summary>
public static class StartRefusal
{
    public static async Task<string> AssertAsync(string folder, IReadOnlyList<string> arguments, string expected)
    {
        var exit = await ServerProcess.RunToExitAsync(ServerProcess.StartInfo(folder, [.. arguments]), TimeSpan.FromSeconds(60));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit.Code, Is.EqualTo(2), exit.Errors + exit.Output);
            Assert.That(exit.Errors.TrimEnd().Split('\n'), Has.Length.EqualTo(1), exit.Errors);
            Assert.That(exit.Errors, Does.StartWith("berth: cannot start: ").And.Contain(expected));
        }

        return exit.Errors;
    }
}
