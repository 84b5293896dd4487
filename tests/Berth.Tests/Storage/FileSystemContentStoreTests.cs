using Berth.Server.Content;
using Berth.Server.Storage;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Storage;

[TestFixture]
public sealed class FileSystemContentStoreTests : ContentStoreContract
{
    private TempFolder _folder = null!;
    private DataLayout _layout = null!;

    [SetUp]
    public void OpenStore()
    {
        _folder = new TempFolder();
        _layout = new DataLayout(_folder.Path);
        _layout.Prepare();
        Store = new FileSystemContentStore(_layout);
    }

    [TearDown]
    public void CloseStore()
    {
        _layout.Dispose();
        _folder.Dispose();
    }

    protected override string NewLocalFile(byte[] bytes)
    {
        var path = _layout.UploadPath(Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, bytes);
        return path;
    }

    protected override async Task<string> AddStrayAsync(string name)
    {
        var path = Path.Combine(_layout.Content, "sha256", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "x");
        return Path.Combine("sha256", name);
    }

    [Test]
    public void DirectUrl_IsNone_ContentIsServedThroughTheServer() =>
        Assert.That(Store.DirectUrl(Docker.Common.Digests.Digest.Compute("x"u8)), Is.Null);

    [Test]
    public async Task Content_LandsAtItsDocumentedPath_AndNothingIsLeftInTmp()
    {
        var bytes = "layout"u8.ToArray();
        var digest = Docker.Common.Digests.Digest.Compute(bytes);
        await Store.PutAsync(digest, bytes, CancellationToken.None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.ReadAllBytes(Path.Combine(_folder.Path, "content", "sha256", digest.Encoded[..2], digest.Encoded)), Is.EqualTo(bytes));
            Assert.That(Directory.EnumerateFileSystemEntries(_layout.Temporary), Is.Empty);
        }
    }
}
