namespace Berth.Server.Diagnostics;

/// <summary>
/// Bytes of one request's body, or of its response's, as they pass. Not synchronised: a body is read, and a response
/// written, by one operation at a time.
/// </summary>
public sealed class ByteCount
{
    public long Value { get; private set; }

    public void Add(long bytes) => Value += bytes;
}
