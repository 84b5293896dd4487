using System.Security.Cryptography;
using Berth.Server.Content;
using Docker.Common.Digests;
using NUnit.Framework;

namespace Berth.Tests.Storage;

/// <summary>
/// What every content store must do; a backend's fixture derives from this, opening its store in its own
/// [SetUp] and closing it in its [TearDown].
/// </summary>
public abstract class ContentStoreContract
{
    protected IContentStore Store { get; set; } = null!;

    /// <summary>A local file the store may take, as an upload is.</summary>
    protected abstract string NewLocalFile(byte[] bytes);

    private static async Task<byte[]> ReadAsync(Stream? stream)
    {
        Assert.That(stream, Is.Not.Null);
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream!.CopyToAsync(copy);
            return copy.ToArray();
        }
    }

    [Test]
    public async Task Put_ThenReadBack()
    {
        var bytes = RandomNumberGenerator.GetBytes(5000);
        var digest = Digest.Compute(bytes);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Store.SizeAsync(digest, CancellationToken.None), Is.Null);
            Assert.That(Store.OpenRead(digest), Is.Null);
        }

        Assert.That(await Store.PutAsync(digest, bytes, CancellationToken.None), Is.EqualTo(5000));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Store.SizeAsync(digest, CancellationToken.None), Is.EqualTo(5000));
            Assert.That(await ReadAsync(Store.OpenRead(digest)), Is.EqualTo(bytes));
        }
    }

    [Test]
    public async Task ImportFile_TakesTheFile()
    {
        var bytes = RandomNumberGenerator.GetBytes(70_000);
        var digest = Digest.Compute(bytes, DigestAlgorithm.Sha512);
        var local = NewLocalFile(bytes);
        Assert.That(await Store.ImportFileAsync(digest, local, CancellationToken.None), Is.EqualTo(70_000));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.Exists(local), Is.False);
            Assert.That(await ReadAsync(Store.OpenRead(digest)), Is.EqualTo(bytes));
        }
    }

    [Test]
    public async Task ImportFile_OfStoredContent_KeepsTheStoredCopyAndDropsTheFile()
    {
        var bytes = RandomNumberGenerator.GetBytes(100);
        var digest = Digest.Compute(bytes);
        await Store.PutAsync(digest, bytes, CancellationToken.None);
        var local = NewLocalFile(bytes);
        await Store.ImportFileAsync(digest, local, CancellationToken.None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.Exists(local), Is.False);
            Assert.That(await ReadAsync(Store.OpenRead(digest)), Is.EqualTo(bytes));
        }
    }

    [Test]
    public async Task ConcurrentPutsOfOneContent_AllSucceed()
    {
        var bytes = RandomNumberGenerator.GetBytes(1_000_000);
        var digest = Digest.Compute(bytes);
        var puts = Enumerable.Range(0, 8).Select(_ => Task.Run(() => Store.PutAsync(digest, bytes, CancellationToken.None)));
        Assert.That(await Task.WhenAll(puts), Is.All.EqualTo(1_000_000));
        Assert.That(await ReadAsync(Store.OpenRead(digest)), Is.EqualTo(bytes));
    }
}
