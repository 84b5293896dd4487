using System.Buffers;
using System.Globalization;
using System.Text;
using Berth.Plugins;

namespace Docker.ManifestImporter;

/// <summary>
/// Walks an uploaded tar header by header without trusting it, and tells a visitor where each regular file's data is.
/// System.Formats.Tar reads what a header claims before checking it against the archive (a PAX header claiming
/// 2 GB is 2 GB allocated), and reports truncation and corruption as several unrelated exceptions; here every size
/// is checked against what the upload holds and against the server's ceilings before anything is read or allocated,
/// and every problem is a <see cref="ContentError.ManifestInvalid"/>. Nothing is kept of an entry but what the
/// visitor keeps. ustar, GNU (long names) and PAX (path and size records) headers are read; GNU sparse files are
/// refused.
/// </summary>
internal static class TarWalker
{
    public const int BlockSize = 512;

    private const int NameOffset = 0;
    private const int NameLength = 100;
    private const int SizeOffset = 124;
    private const int SizeLength = 12;
    private const int ChecksumOffset = 148;
    private const int ChecksumLength = 8;
    private const int TypeOffset = 156;
    private const int MagicOffset = 257;
    private const int PrefixOffset = 345;
    private const int PrefixLength = 155;

    /// <summary>A regular file of the archive: its name and where its data is in the upload.</summary>
    public readonly record struct FileEntry(string Name, long Offset, long Size);

    /// <summary>Walks the whole archive, calling <paramref name="visit"/> for each regular file in order.</summary>
    /// <exception cref="ContentException">With <see cref="ContentError.ManifestInvalid"/> for a truncated, corrupt or oversized archive.</exception>
    public static async Task WalkAsync(IUploadedFile upload, ImportLimits limits, Action<FileEntry> visit, CancellationToken cancellationToken)
    {
        var header = new byte[BlockSize];
        var stream = upload.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            long position = 0;
            var entries = 0;
            string? longName = null;
            string? paxPath = null;
            long? paxSize = null;
            while (true)
            {
                if (position == upload.Length)
                {
                    // No end-of-archive blocks: tolerated, as GNU tar does; what is missing shows as missing files.
                    return;
                }

                if (position + BlockSize > upload.Length)
                {
                    throw Invalid($"the archive ends inside the header at byte {position}: it is truncated");
                }

                await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
                if (!header.AsSpan().ContainsAnyExcept((byte)0))
                {
                    return;
                }

                if (++entries > limits.MaxArchiveEntries)
                {
                    throw Invalid($"the archive has more than {limits.MaxArchiveEntries} entries, the most this server reads");
                }

                CheckChecksum(header, position);
                var type = (char)header[TypeOffset];
                var size = ReadSize(header.AsSpan(SizeOffset, SizeLength), position);
                var isMetadata = type is 'x' or 'g' or 'L' or 'K';
                if (!isMetadata && paxSize is { } declared)
                {
                    size = declared;
                }

                var dataOffset = position + BlockSize;
                if (size > upload.Length - dataOffset)
                {
                    throw Invalid($"the entry at byte {position} claims {size} bytes, but the archive ends {upload.Length - dataOffset} bytes later: it is truncated or corrupt");
                }

                if (isMetadata && size > limits.MaxArchiveHeaderBytes)
                {
                    throw Invalid($"the entry at byte {position} has an extended header of {size} bytes; at most {limits.MaxArchiveHeaderBytes} are read");
                }

                var padded = size + ((BlockSize - (size % BlockSize)) % BlockSize);
                switch (type)
                {
                    case 'x':
                        (paxPath, paxSize) = ReadPax(await ReadDataAsync(stream, size, cancellationToken).ConfigureAwait(false), position);
                        await SkipAsync(stream, padded - size, cancellationToken).ConfigureAwait(false);
                        break;
                    case 'L':
                        longName = ReadName(await ReadDataAsync(stream, size, cancellationToken).ConfigureAwait(false));
                        await SkipAsync(stream, padded - size, cancellationToken).ConfigureAwait(false);
                        break;
                    case 'S':
                        // Its data is not laid out as its size says (and may run on in extension headers).
                        throw Invalid($"the entry at byte {position} is a GNU sparse file, which a skopeo dir: folder never holds");
                    default:
                        // 'g' and 'K' (a global header, a long link name) change nothing this importer reads.
                        if (!isMetadata)
                        {
                            var name = paxPath ?? longName ?? HeaderName(header);
                            if (type is '0' or '\0' or '7')
                            {
                                visit(new FileEntry(name, dataOffset, size));
                            }

                            (longName, paxPath, paxSize) = (null, null, null);
                        }

                        await SkipAsync(stream, padded, cancellationToken).ConfigureAwait(false);
                        break;
                }

                position = dataOffset + padded;
            }
        }
    }

    /// <summary>Opens the upload positioned at <paramref name="offset"/>.</summary>
    public static async Task<Stream> OpenAtAsync(IUploadedFile upload, long offset, CancellationToken cancellationToken)
    {
        var stream = upload.OpenRead();
        try
        {
            await SkipAsync(stream, offset, cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Moves a stream forward, by seeking where it can.</summary>
    public static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        if (stream.CanSeek)
        {
            stream.Seek(count, SeekOrigin.Current);
            return;
        }

        var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (count > 0)
            {
                var read = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(count, scratch.Length)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw Invalid("the archive ends before an entry it declares");
                }

                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    public static ContentException Invalid(string problem) => new(ContentError.ManifestInvalid, $"the upload looks like a tar but cannot be read as one: {problem}");

    private static async Task<byte[]> ReadDataAsync(Stream stream, long size, CancellationToken cancellationToken)
    {
        // Bounded by the caller: at most the archive header ceiling, and no more than the upload holds.
        var data = new byte[size];
        await stream.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
        return data;
    }

    private static void CheckChecksum(byte[] header, long position)
    {
        var stored = ReadOctal(header.AsSpan(ChecksumOffset, ChecksumLength), "checksum", position);
        long unsigned = 0;
        long signed = 0;
        for (var i = 0; i < BlockSize; i++)
        {
            var b = i is >= ChecksumOffset and < ChecksumOffset + ChecksumLength ? (byte)' ' : header[i];
            unsigned += b;
            signed += (sbyte)b;
        }

        // Some old tars summed signed bytes; both are accepted, as GNU tar does.
        if (stored != unsigned && stored != signed)
        {
            throw Invalid($"the header at byte {position} fails its checksum: the archive is corrupt");
        }
    }

    /// <summary>The size field: octal digits (space or NUL padded), or GNU's base-256 for sizes of 8 GiB and more.</summary>
    private static long ReadSize(ReadOnlySpan<byte> field, long position)
    {
        if ((field[0] & 0x80) == 0)
        {
            return ReadOctal(field, "size", position);
        }

        // Base-256, big-endian, the first byte's top bit set; 0xFF would be negative. A long takes the last eight bytes.
        if (field[0] != 0x80 || field[1..^8].ContainsAnyExcept((byte)0) || (field[^8] & 0x80) != 0)
        {
            throw Invalid($"the header at byte {position} has a size that is negative or too large");
        }

        long size = 0;
        foreach (var b in field[^8..])
        {
            size = (size << 8) | b;
        }

        return size;
    }

    /// <summary>An octal header field, space or NUL padded; twelve digits at most, so it cannot overflow.</summary>
    private static long ReadOctal(ReadOnlySpan<byte> field, string what, long position)
    {
        var text = field.TrimStart((byte)' ');
        var end = text.IndexOfAny((byte)' ', (byte)0);
        var digits = end < 0 ? text : text[..end];
        if (end >= 0 && text[end..].ContainsAnyExcept((byte)' ', (byte)0))
        {
            throw Invalid($"the header at byte {position} has a {what} that is not a number");
        }

        long value = 0;
        foreach (var digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'7')
            {
                throw Invalid($"the header at byte {position} has a {what} that is not an octal number");
            }

            value = (value << 3) | (long)(digit - '0');
        }

        return value;
    }

    private static string HeaderName(byte[] header)
    {
        var name = ReadName(header.AsSpan(NameOffset, NameLength));
        var posix = header.AsSpan(MagicOffset, 6).SequenceEqual("ustar\0"u8);
        var prefix = posix ? ReadName(header.AsSpan(PrefixOffset, PrefixLength)) : string.Empty;
        return prefix.Length > 0 ? $"{prefix}/{name}" : name;
    }

    private static string ReadName(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    /// <summary>The records of a PAX extended header (<c>LENGTH key=value\n</c>) that matter here: path and size.</summary>
    private static (string? Path, long? Size) ReadPax(ReadOnlySpan<byte> records, long position)
    {
        string? path = null;
        long? size = null;
        while (!records.IsEmpty)
        {
            var space = records.IndexOf((byte)' ');
            if (space <= 0 || space > 20 ||
                !long.TryParse(records[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var length) ||
                length <= space + 1 || length > records.Length || records[(int)length - 1] != (byte)'\n')
            {
                throw Invalid($"the PAX header at byte {position} has a malformed record");
            }

            var record = records[(space + 1)..((int)length - 1)];
            records = records[(int)length..];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0)
            {
                throw Invalid($"the PAX header at byte {position} has a record without a key");
            }

            var key = record[..equals];
            var value = record[(equals + 1)..];
            if (key.SequenceEqual("path"u8))
            {
                path = Encoding.UTF8.GetString(value);
            }
            else if (key.SequenceEqual("size"u8))
            {
                size = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                    ? parsed
                    : throw Invalid($"the PAX header at byte {position} has a size that is not a number");
            }
        }

        return (path, size);
    }
}
