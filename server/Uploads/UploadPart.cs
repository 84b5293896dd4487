namespace Berth.Server.Uploads;

/// <summary>
/// One acknowledged segment of an upload shared by every server (see <see cref="SharedUploads"/>): its bytes are an object
/// named <see cref="Name"/> among the upload's parts in the bucket, written at <see cref="Offset"/>. Parts are numbered
/// from 0 in the order they were acknowledged; applied in that order they make the upload's bytes.
/// </summary>
/// <param name="Sequence">Its number among the upload's parts.</param>
/// <param name="Offset">Where in the upload its bytes go.</param>
/// <param name="Length">How many bytes it holds.</param>
/// <param name="Name">The object's name among the upload's parts: unique to the server that wrote it, so that two servers racing for one number never overwrite each other's bytes.</param>
/// <param name="Stored">When it was added: the purge of abandoned uploads goes by the last.</param>
public sealed record UploadPart(int Sequence, long Offset, long Length, string Name, DateTimeOffset Stored)
{
    public long End => Offset + Length;

    /// <summary>How many bytes the upload holds once these parts are applied: where the last of them ends.</summary>
    public static long Extent(IEnumerable<UploadPart> parts) => parts.Select(p => p.End).DefaultIfEmpty(0).Max();
}
