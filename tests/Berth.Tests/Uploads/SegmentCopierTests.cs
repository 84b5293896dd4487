using System.IO.Pipelines;
using System.Security.Cryptography;
using Berth.Server.Errors;
using Berth.Server.Uploads;
using Berth.Tests.Support;
using Docker.Common.Digests;
using NUnit.Framework;

namespace Berth.Tests.Uploads;

/// <summary>
/// The streaming copy of upload segments, with O_DIRECT writes (where the temp folder's file system takes them)
/// and without, at aligned and unaligned offsets and sizes around the block and chunk sizes.
/// </summary>
public sealed class SegmentCopierTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var direct in new[] { true, false })
        {
            foreach (var (offset, size) in new[] { (0, 0), (0, 1), (0, 4095), (0, 4096), (0, 4097), (0, 1048576), (0, 1048577), (0, 3_670_017), (1, 4096), (4095, 2), (4096, 1_048_576), (1_000_000, 2_500_000) })
            {
                yield return new TestCaseData(direct, offset, size).SetName($"Copy_{(direct ? "Direct" : "Buffered")}_At{offset}_Of{size}");
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Copy_WritesTheBodyAfterWhatTheFileHolds_AndHashesIt(bool direct, int offset, int size)
    {
        using var folder = new TempFolder();
        var path = folder.Combine("upload");
        var prefix = RandomNumberGenerator.GetBytes(offset);
        var body = RandomNumberGenerator.GetBytes(size);
        await File.WriteAllBytesAsync(path, prefix);
        using var hash = new DigestCalculator(DigestAlgorithm.Sha256);
        hash.Append(prefix);
        long end;
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        using (var writer = direct ? UploadFileWriter.Open(handle, path, direct: true) : new UploadFileWriter(handle, direct: null))
        {
            var reader = PipeReader.Create(new MemoryStream(body), new StreamPipeReaderOptions(bufferSize: 4000, minimumReadSize: 1000));
            end = await SegmentCopier.CopyAsync(reader, writer, offset, hash, claimEnd: null, CancellationToken.None);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(end, Is.EqualTo(offset + size));
            Assert.That(await File.ReadAllBytesAsync(path), Is.EqualTo(prefix.Concat(body).ToArray()));
            Assert.That(hash.Current(), Is.EqualTo(Digest.Compute([.. prefix, .. body])));
        }
    }

    [Test]
    public async Task Copy_PastTheLimit_FailsWithTooLarge_WithoutHanging()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("upload");
        await File.WriteAllBytesAsync(path, []);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        using var writer = UploadFileWriter.Open(handle, path, direct: true);
        var reader = PipeReader.Create(new MemoryStream(new byte[5 * 1024 * 1024]));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var copy = SegmentCopier.CopyAsync(reader, writer, 0, null, ClaimEnd, timeout.Token);
        Assert.That(async () => await copy, Throws.TypeOf<TooLargeException>().With.Property(nameof(TooLargeException.Limit)).EqualTo(3 * 1024 * 1024));

        static ValueTask ClaimEnd(long end)
        {
            const long max = 3 * 1024 * 1024;
            return end > max ? throw UploadService.BeyondLimit(max) : ValueTask.CompletedTask;
        }
    }

    [Test]
    public async Task Copy_WhenTheBodyBreaksOff_FailsWithoutHanging()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("upload");
        await File.WriteAllBytesAsync(path, []);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        using var writer = UploadFileWriter.Open(handle, path, direct: true);
        var reader = PipeReader.Create(new BreakingStream(9 * 1024 * 1024));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.That(async () => await SegmentCopier.CopyAsync(reader, writer, 0, null, null, timeout.Token), Throws.TypeOf<IOException>());
    }

    /// <summary>A body that delivers some bytes, then fails as a dropped connection does.</summary>
    private sealed class BreakingStream(int breakAfter) : Stream
    {
        private int _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _sent; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_sent >= breakAfter)
            {
                throw new IOException("connection reset");
            }

            var n = Math.Min(count, breakAfter - _sent);
            _sent += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
