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

    private async Task<byte[]> ReadAsync(Digest digest, ByteRange? range = null)
    {
        var read = await Store.OpenReadAsync(digest, range, CancellationToken.None);
        Assert.That(read, Is.Not.Null, $"{digest} is not stored");
        await using (read)
        {
            var bytes = new byte[read!.Length];
            await read.Stream.ReadExactlyAsync(bytes);
            return bytes;
        }
    }

    private async Task<List<ContentEntry>> ListAsync()
    {
        var entries = new List<ContentEntry>();
        await foreach (var page in Store.ListAsync(CancellationToken.None))
        {
            entries.AddRange(page);
        }

        return entries;
    }

    [Test]
    public async Task Put_ThenReadBack()
    {
        var bytes = RandomNumberGenerator.GetBytes(5000);
        var digest = Digest.Compute(bytes);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Store.SizeAsync(digest, CancellationToken.None), Is.Null);
            Assert.That(await Store.OpenReadAsync(digest, null, CancellationToken.None), Is.Null);
        }

        Assert.That(await Store.PutAsync(digest, bytes, CancellationToken.None), Is.EqualTo(5000));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Store.SizeAsync(digest, CancellationToken.None), Is.EqualTo(5000));
            Assert.That(await ReadAsync(digest), Is.EqualTo(bytes));
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
            Assert.That(await ReadAsync(digest), Is.EqualTo(bytes));
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
            Assert.That(await ReadAsync(digest), Is.EqualTo(bytes));
        }
    }

    [Test]
    public async Task ConcurrentPutsOfOneContent_AllSucceed()
    {
        var bytes = RandomNumberGenerator.GetBytes(1_000_000);
        var digest = Digest.Compute(bytes);
        var puts = Enumerable.Range(0, 8).Select(_ => Task.Run(() => Store.PutAsync(digest, bytes, CancellationToken.None)));
        Assert.That(await Task.WhenAll(puts), Is.All.EqualTo(1_000_000));
        Assert.That(await ReadAsync(digest), Is.EqualTo(bytes));
    }

    [Test]
    public async Task CopyFile_LeavesTheFile()
    {
        var bytes = RandomNumberGenerator.GetBytes(3000);
        var digest = Digest.Compute(bytes);
        var local = NewLocalFile(bytes);
        Assert.That(await Store.CopyFileAsync(digest, local, CancellationToken.None), Is.EqualTo(3000));
        Assert.That(await Store.CopyFileAsync(digest, local, CancellationToken.None), Is.EqualTo(3000), "copied again: already stored");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.ReadAllBytes(local), Is.EqualTo(bytes));
            Assert.That(await ReadAsync(digest), Is.EqualTo(bytes));
        }
    }

    [Test]
    public async Task ARange_IsReadAlone()
    {
        var bytes = RandomNumberGenerator.GetBytes(10_000);
        var digest = Digest.Compute(bytes);
        await Store.PutAsync(digest, bytes, CancellationToken.None);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await ReadAsync(digest, new ByteRange(100, 900)), Is.EqualTo(bytes[100..1000]));
            Assert.That(await ReadAsync(digest, new ByteRange(9_999, 1)), Is.EqualTo(bytes[9_999..]));
        }
    }

    [Test]
    public async Task Listing_NamesWhatIsStored_AndDeleteForgetsIt()
    {
        var contents = Enumerable.Range(0, 3).Select(i => RandomNumberGenerator.GetBytes(100 + i)).ToList();
        foreach (var bytes in contents)
        {
            await Store.PutAsync(Digest.Compute(bytes), bytes, CancellationToken.None);
        }

        var digests = contents.Select(b => Digest.Compute(b)).ToList();
        var listed = await ListAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(listed.Where(e => e.Digest is not null).Select(e => (e.Digest!.Value, e.Size)), Is.SupersetOf(digests.Select((d, i) => (d, 100L + i))));
            Assert.That(listed.Where(e => e.Digest is not null).Select(e => e.Stored), Has.All.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5)));
            Assert.That(await Store.DeleteAsync(digests[1], CancellationToken.None), Is.EqualTo(101));
            Assert.That(await Store.DeleteAsync(digests[1], CancellationToken.None), Is.Zero);
            Assert.That(await Store.SizeAsync(digests[1], CancellationToken.None), Is.Null);
        }

        Assert.That((await ListAsync()).Select(e => e.Digest), Does.Not.Contain(digests[1]).And.Contain(digests[0]));
    }

    [Test]
    public async Task AStrayThing_IsListedWithoutADigest()
    {
        var name = await AddStrayAsync("not-a-digest");
        Assert.That((await ListAsync()).Where(e => e.Digest is null).Select(e => e.Name), Has.Some.EndsWith(name));
    }

    [Test]
    public async Task Probe_SaysTheStoreTakesContent()
    {
        var probe = await Store.ProbeAsync(CancellationToken.None);
        Assert.That((probe.Writable, probe.Problem), Is.EqualTo((true, (string?)null)));
    }

    /// <summary>Puts something that is not named by a digest where content is kept (a file an operator left, say); returns its name's end.</summary>
    protected abstract Task<string> AddStrayAsync(string name);
}
