using NUnit.Framework;

namespace Berth.Tests.Support;

/// <summary>
/// An engine the tests run against (PostgreSQL, Ceph) that is not installed: the test is ignored with the command that
/// installs it, except under CI (<c>CI=true</c>), whose <c>.ci/run</c> installs it, where it is a failure.
/// </summary>
public static class RequiredEngine
{
    public static void Missing(string engine, string tests, string installCommand)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"{engine} is required under CI and is not installed; .ci/run should install it ({installCommand})");
        }

        Assert.Ignore($"{engine} is not installed; install it to run the {tests} tests: {installCommand}");
    }
}
