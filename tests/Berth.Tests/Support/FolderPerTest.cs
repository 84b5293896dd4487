using NUnit.Framework;

namespace Berth.Tests.Support;

/// <summary>For tests that start their own servers or stores: a temporary folder of each test's own, removed after it.</summary>
public abstract class FolderPerTest
{
    protected TempFolder Folder { get; private set; } = null!;

    [SetUp]
    public void CreateFolder() => Folder = new TempFolder();

    [TearDown]
    public void RemoveFolder() => Folder.Dispose();
}
