using Berth.Tests.Api;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Cli;

/// <summary>
/// The real server process and a berth CLI signed in to it through the environment, with a config folder of
/// each test's own.
/// </summary>
[Category("Cli")]
public abstract class CliFixture() : ApiFixture(ServerKind.Process)
{
    protected CliRunner Cli { get; private set; } = null!;

    protected string Server => Api.Http.BaseAddress!.ToString();

    [SetUp]
    public void SignInThroughTheEnvironment()
    {
        Cli = new CliRunner(Folder.Combine("config-" + Guid.NewGuid().ToString("N")));
        Cli.Environment["BERTH_SERVER"] = Server;
        Cli.Environment["BERTH_USERNAME"] = TestCredentials.AdminLogin;
        Cli.Environment["BERTH_PASSWORD"] = TestCredentials.AdminPassword;
    }
}
