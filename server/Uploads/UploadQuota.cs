using Berth.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Berth.Server.Uploads;

/// <summary>
/// How many uploads each user has open and how many bytes they hold together, against
/// <see cref="UploadLimitOptions"/>. Counted from the uploads folder at start, then kept by every create, segment
/// and end of an upload, under one lock, so that concurrent requests of one user cannot pass a limit together.
/// A segment claims the bytes it adds as they arrive, before they are written, and gives back what it did not
/// keep. Only users with open uploads have an entry; a refusal changes nothing. Uploads without an owner (made
/// before uploads had owners) are not counted.
/// </summary>
internal sealed class UploadQuota(IOptions<BerthOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Usage> _owners = new(StringComparer.Ordinal);

    private int? MaxOpen => options.Value.Uploads.MaxOpenPerUser is > 0 and var max ? max : null;

    private long? MaxBytes => options.Value.Uploads.MaxBytesPerUser is > 0 and var max ? max : null;

    /// <summary>How many users have an entry: at most those with open uploads.</summary>
    internal int Owners
    {
        get
        {
            lock (_lock)
            {
                return _owners.Count;
            }
        }
    }

    /// <summary>How many uploads (and registry sessions) are open, of every owner together.</summary>
    internal int OpenUploads
    {
        get
        {
            lock (_lock)
            {
                return _owners.Values.Sum(usage => usage.Open);
            }
        }
    }

    /// <summary>Counts the uploads that exist, replacing whatever was counted.</summary>
    public void Load(IEnumerable<(string? Owner, long Bytes)> uploads)
    {
        lock (_lock)
        {
            _owners.Clear();
            foreach (var (owner, bytes) in uploads)
            {
                if (owner is not null)
                {
                    var usage = Of(owner);
                    usage.Open++;
                    usage.Bytes += bytes;
                }
            }
        }
    }

    /// <summary>Takes a place for a new upload of <paramref name="owner"/>.</summary>
    /// <exception cref="UploadLimitException">When the owner has as many open as allowed.</exception>
    public void Open(string? owner)
    {
        if (owner is null)
        {
            return;
        }

        lock (_lock)
        {
            RefuseFull(owner);
            Of(owner).Open++;
        }
    }

    /// <summary>
    /// Refuses, as <see cref="Open"/> would, when <paramref name="owner"/> has no room for another upload, without
    /// taking a place: for work a refused upload would leave behind (a repository created by a first push).
    /// </summary>
    /// <exception cref="UploadLimitException">When the owner has as many open as allowed.</exception>
    public void RequireRoom(string? owner)
    {
        if (owner is null)
        {
            return;
        }

        lock (_lock)
        {
            RefuseFull(owner);
        }
    }

    // Under the lock.
    private void RefuseFull(string owner)
    {
        _owners.TryGetValue(owner, out var usage);
        if (MaxOpen is { } max && usage?.Open >= max)
        {
            throw UploadLimitException.TooManyOpen(owner, usage.Open, max, options.Value.UploadExpiry);
        }
    }

    /// <summary>An upload has ended (or was never made): its place and its bytes are free again.</summary>
    public void Close(string? owner, long bytes)
    {
        if (owner is null)
        {
            return;
        }

        lock (_lock)
        {
            if (_owners.TryGetValue(owner, out var usage))
            {
                usage.Open--;
                Release(owner, usage, bytes);
            }
        }
    }

    /// <summary>For one segment of an upload of <paramref name="owner"/> that holds <paramref name="length"/> bytes.</summary>
    public Growth Grow(string? owner, long length) => new(this, owner, length);

    private void Claim(string owner, long bytes)
    {
        lock (_lock)
        {
            var usage = Of(owner);
            if (MaxBytes is { } max && usage.Bytes + bytes > max)
            {
                ForgetIfIdle(owner, usage);
                throw UploadLimitException.TooManyBytes(owner, usage.Bytes, max);
            }

            usage.Bytes += bytes;
        }
    }

    private void Release(string owner, long bytes)
    {
        lock (_lock)
        {
            if (_owners.TryGetValue(owner, out var usage))
            {
                Release(owner, usage, bytes);
            }
        }
    }

    private void Release(string owner, Usage usage, long bytes)
    {
        usage.Bytes = Math.Max(0, usage.Bytes - bytes);
        ForgetIfIdle(owner, usage);
    }

    private void ForgetIfIdle(string owner, Usage usage)
    {
        if (usage.Open <= 0 && usage.Bytes == 0)
        {
            _owners.Remove(owner);
        }
    }

    private Usage Of(string owner)
    {
        if (!_owners.TryGetValue(owner, out var usage))
        {
            usage = new Usage();
            _owners[owner] = usage;
        }

        return usage;
    }

    /// <summary>
    /// The bytes one segment adds to its upload: claimed as the upload's end moves past what it held, and settled
    /// once the segment is over, to the length the upload kept.
    /// </summary>
    internal sealed class Growth(UploadQuota quota, string? owner, long length) : IUploadGrowth
    {
        private readonly long _length = length;
        private long _claimedEnd = length;

        public ValueTask ClaimAsync(long end, CancellationToken cancellationToken)
        {
            if (owner is not null && end > _claimedEnd)
            {
                quota.Claim(owner, end - _claimedEnd);
                _claimedEnd = end;
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask SettleAsync(long kept)
        {
            var end = Math.Max(kept, _length);
            if (owner is not null && _claimedEnd > end)
            {
                quota.Release(owner, _claimedEnd - end);
                _claimedEnd = end;
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class Usage
    {
        public int Open { get; set; }

        public long Bytes { get; set; }
    }
}
