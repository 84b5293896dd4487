using Berth.Tests.Api;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Registry;

/// <summary>
/// A server with a registry client beside the content API client. Registry fixtures run twice: in process and
/// against the real server process.
/// </summary>
public abstract class RegistryFixture(ServerKind kind, StorageBackend backend = StorageBackend.Default) : ApiFixture(kind, backend)
{
    protected RegistryClient Registry { get; private set; } = null!;

    [OneTimeSetUp]
    public void CreateRegistryClient() => Registry = new RegistryClient(Host.CreateClient());

    [OneTimeTearDown]
    public void DisposeRegistryClient() => Registry?.Http.Dispose();

    /// <summary>A registry name of this test's own.</summary>
    protected string NewName() => "test/" + NewRepositoryId();
}
