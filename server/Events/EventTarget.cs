namespace Berth.Server.Events;

/// <summary>
/// What an event is about: distribution's target (a descriptor, with its repository, tag and address), and for Berth's
/// own actions the unit type and how many units the change took.
/// </summary>
public sealed record EventTarget
{
    public string? MediaType { get; init; }

    public long? Size { get; init; }

    public string? Digest { get; init; }

    /// <summary>The size again, as distribution writes it (its older field).</summary>
    public long? Length { get; init; }

    /// <summary>
    /// The registry name when the repository has one, else its id; none for a change to the whole server (orphan
    /// collection), which only endpoints without a repository filter take.
    /// </summary>
    public string? Repository { get; init; }

    /// <summary>The repository content came from: the source of a mount or a promotion.</summary>
    public string? FromRepository { get; init; }

    /// <summary>Where the registry API serves the blob or manifest.</summary>
    public string? Url { get; init; }

    public string? Tag { get; init; }

    /// <summary>The unit type (Berth's own actions on one unit).</summary>
    public string? UnitType { get; init; }

    /// <summary>How many units the change added or took (Berth's own actions on many units).</summary>
    public long? Units { get; init; }

    /// <summary>How many bytes of content the change freed (orphan collection).</summary>
    public long? BytesFreed { get; init; }
}
