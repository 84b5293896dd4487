namespace Berth.Server.TagHistory;

/// <summary>A tag move as the content API shows it.</summary>
public sealed record TagMoveResponse(string Tag, DateTimeOffset At, string Actor, string? OldDigest, string? NewDigest)
{
    public static TagMoveResponse From(TagMove move)
    {
        ArgumentNullException.ThrowIfNull(move);
        return new TagMoveResponse(move.Tag, move.At, move.Actor, move.OldDigest, move.NewDigest);
    }
}
