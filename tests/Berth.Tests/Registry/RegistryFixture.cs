using Berth.Tests.Api;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Registry;

/// <summary>The in-process server with a registry client beside the content API client.</summary>
public abstract class RegistryFixture : ApiFixture
{
    protected RegistryClient Registry { get; private set; } = null!;

    [OneTimeSetUp]
    public void CreateRegistryClient() => Registry = new RegistryClient(Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false }));

    [OneTimeTearDown]
    public void DisposeRegistryClient() => Registry.Http.Dispose();

    /// <summary>A registry name of this test's own.</summary>
    protected string NewName() => "test/" + NewRepositoryId();
}
