using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Api;

/// <summary>
/// One in-process server per test fixture, over a data folder of its own. Tests share it, so each works in
/// repositories of its own (<see cref="NewRepositoryId"/>).
/// </summary>
public abstract class ApiFixture
{
    private int _repositories;

    protected TempFolder Folder { get; private set; } = null!;

    protected BerthApiFactory Factory { get; private set; } = null!;

    protected ContentApiClient Api { get; private set; } = null!;

    /// <summary>A plugin folder to load instead of the default one, or null for the default.</summary>
    protected virtual string? PluginsConfDir(TempFolder folder) => null;

    /// <summary>Configuration keys this fixture's server runs with.</summary>
    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    [OneTimeSetUp]
    public void StartServer()
    {
        Folder = new TempFolder();
        Factory = new BerthApiFactory(Folder.Combine("data"), PluginsConfDir(Folder), Settings);
        Api = Factory.CreateContentApiClient();
    }

    /// <summary>Any test during which the server logged an error (a 500, a crashed background task) fails.</summary>
    [TearDown]
    public void NoServerErrors()
    {
        var errors = new List<string>();
        while (Factory.ErrorLog.Errors.TryDequeue(out var error))
        {
            errors.Add(error);
        }

        Assert.That(errors, Is.Empty, "the server logged errors");
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        Api.Http.Dispose();
        await Factory.DisposeAsync();
        Folder.Dispose();
    }

    protected string NewRepositoryId() =>
        $"{GetType().Name}-{TestContext.CurrentContext.Test.MethodName}-{Interlocked.Increment(ref _repositories)}".ToLowerInvariant();

    protected string ContentPath(string digest)
    {
        var (algorithm, hex) = (digest[..digest.IndexOf(':', StringComparison.Ordinal)], digest[(digest.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        return Path.Combine(Factory.DataDir, "content", algorithm, hex[..2], hex);
    }
}
