using System.Globalization;
using System.Text;

namespace Berth.Tests.Support;

/// <summary>
/// Tar archives written block by block, so that a test can make one lie: a header claiming more than follows, an
/// extended header claiming a gigabyte, a checksum that fails, thousands of entries.
/// </summary>
public sealed class RawTar
{
    public const int Block = 512;

    private readonly List<byte> _bytes = [];

    /// <summary>A regular file whose header tells the truth.</summary>
    public RawTar File(string name, byte[] data) => Entry(name, '0', data.LongLength, data);

    public RawTar File(string name, string text) => File(name, Encoding.UTF8.GetBytes(text));

    /// <summary>A header of any type claiming <paramref name="claimedSize"/> bytes, followed by <paramref name="data"/> (padded to a block).</summary>
    public RawTar Entry(string name, char type, long claimedSize, byte[]? data = null, Action<byte[]>? corrupt = null)
    {
        var header = Header(name, type, claimedSize);
        corrupt?.Invoke(header);
        _bytes.AddRange(header);
        data ??= [];
        _bytes.AddRange(data);
        _bytes.AddRange(new byte[(Block - (data.Length % Block)) % Block]);
        return this;
    }

    /// <summary>A PAX extended header with the given records, applying to the next entry.</summary>
    public RawTar Pax(params (string Key, string Value)[] records)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in records)
        {
            // The length counts its own digits.
            var body = $" {key}={value}\n";
            var length = body.Length + 1;
            while (body.Length + length.ToString(CultureInfo.InvariantCulture).Length != length)
            {
                length = body.Length + length.ToString(CultureInfo.InvariantCulture).Length;
            }

            text.Append(length.ToString(CultureInfo.InvariantCulture)).Append(body);
        }

        var data = Encoding.UTF8.GetBytes(text.ToString());
        return Entry("PaxHeaders/entry", 'x', data.Length, data);
    }

    /// <summary>Raw bytes, for a tail that is not whole blocks.</summary>
    public RawTar Raw(byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    /// <summary>The archive with its two end blocks.</summary>
    public byte[] ToArray() => [.. _bytes.ToArray(), .. new byte[2 * Block]];

    /// <summary>The archive as it stands, without end blocks.</summary>
    public byte[] ToArrayUnterminated() => _bytes.ToArray();

    /// <summary>A ustar header; the checksum is computed after <paramref name="claimedSize"/> is written.</summary>
    public static byte[] Header(string name, char type, long claimedSize)
    {
        var header = new byte[Block];
        Encoding.UTF8.GetBytes(name).CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 108);
        Encoding.ASCII.GetBytes("0000000\0").CopyTo(header, 116);
        Encoding.ASCII.GetBytes(Convert.ToString(claimedSize, 8).PadLeft(11, '0') + "\0").CopyTo(header, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = (byte)type;
        Encoding.ASCII.GetBytes("ustar\0").CopyTo(header, 257);
        Encoding.ASCII.GetBytes("00").CopyTo(header, 263);
        Checksum(header);
        return header;
    }

    /// <summary>Writes a header's checksum (after a test changed a field on purpose).</summary>
    public static void Checksum(byte[] header)
    {
        ArgumentNullException.ThrowIfNull(header);
        "        "u8.CopyTo(header.AsSpan(148, 8));
        var sum = header.Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
    }

    /// <summary>The start of a skopeo dir: tar: its version file.</summary>
    public static RawTar SkopeoDir() => new RawTar().File("version", "Directory Transport Version: 1.1\n");
}
