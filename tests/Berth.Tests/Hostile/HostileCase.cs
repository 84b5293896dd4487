namespace Berth.Tests.Hostile;

/// <summary>
/// One hostile request and the refusal it must get. Targets, bodies and headers may name the fixture's things:
/// <c>{repo}</c>, <c>{name}</c>, <c>{upload}</c>, <c>{upload_digest}</c>, <c>{session}</c>, <c>{blob}</c>,
/// <c>{manifest}</c>, <c>{user}</c>, and <c>{case_upload}</c> (see <see cref="Upload"/>).
/// </summary>
public sealed record HostileCase(string Name, string Method, string Target, int Status, ErrorShape Shape, string? Code)
{
    /// <summary>The body as text (placeholders are replaced), or null for <see cref="Bytes"/>.</summary>
    public string? Body { get; init; }

    /// <summary>The body as bytes, sent as they are.</summary>
    public byte[]? Bytes { get; init; }

    /// <summary>Further header lines (<c>Name: value</c>).</summary>
    public IReadOnlyList<string> Headers { get; init; } = [];

    /// <summary>The Content-Length to declare instead of the body's own length; null declares the truth.</summary>
    public string? ContentLength { get; init; }

    /// <summary>Sends the body as given with <c>Transfer-Encoding: chunked</c>: the body is the raw chunk framing.</summary>
    public bool Chunked { get; init; }

    /// <summary>Sends no credentials.</summary>
    public bool Anonymous { get; init; }

    /// <summary>
    /// Bytes uploaded (as an upload request of their own) before the case is sent, for cases that import hostile
    /// content; the request names it as <c>{case_upload}</c>. It is deleted after the case.
    /// </summary>
    public byte[]? Upload { get; init; }

    public override string ToString() => Name;
}
