using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Berth.Server.Repositories;

namespace Berth.Server.Uploads;

/// <summary>
/// Ids of registry upload sessions that vouch for themselves, so that opening a session writes nothing: most pushes
/// send a blob whole in the PUT that follows, and a stored record would cost a durable write per blob for nothing.
/// An id is 32 lowercase hex digits, as every upload id: 8 of the second it was opened, 12 random, and 12 of a keyed
/// digest of those and of the repository and user it was opened for. Only this server can make one, and it names
/// no other repository or user. A session is stored once it must keep bytes (see <see cref="UploadService"/>).
/// </summary>
public sealed class SessionIds(byte[] key)
{
    private const int StampDigits = 20;

    public UploadId New(RepositoryId repository, string owner, DateTimeOffset now)
    {
        var seconds = (uint)Math.Clamp(now.ToUnixTimeSeconds(), 0, uint.MaxValue);
        var stamp = seconds.ToString("x8", CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        return UploadId.TryParse(stamp + Seal(stamp, repository, owner), out var id) ? id : throw new InvalidOperationException("a session id is 32 hex digits");
    }

    /// <summary>Whether <paramref name="id"/> was made by <see cref="New"/> for this repository and user; if so, when.</summary>
    public bool TryVerify(UploadId id, RepositoryId repository, string owner, out DateTimeOffset opened)
    {
        opened = default;
        var stamp = id.Value[..StampDigits];
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Seal(stamp, repository, owner)), Encoding.ASCII.GetBytes(id.Value[StampDigits..])))
        {
            return false;
        }

        opened = DateTimeOffset.FromUnixTimeSeconds(uint.Parse(stamp.AsSpan(0, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        return true;
    }

    private string Seal(string stamp, RepositoryId repository, string owner) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{stamp}\n{repository.Value}\n{owner}")))[..(32 - StampDigits)];
}
