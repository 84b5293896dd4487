using System.Text;
using Docker.Common.Distribution;

namespace Berth.Fuzz;

/// <summary>
/// The Content-Range of a chunk PATCH, which decides where bytes are written. An accepted range starts at or
/// after zero and holds at least one byte, so the writer's arithmetic cannot go negative or overflow.
/// </summary>
internal sealed class ContentRangeTarget : FuzzTarget
{
    public override string Name => "content-range";

    public override IReadOnlyList<string> InstrumentedAssemblies => ["Docker.Common.dll"];

    public override IEnumerable<string> Dictionary => ["bytes", "bytes=", "bytes ", "0", "1", "9223372036854775807", "9223372036854775808", "18446744073709551615", "-", " ", ","];

    public override IEnumerable<(string Name, string Content)> Seeds()
    {
        yield return ("plain", "0-1023");
        yield return ("bytes-space", "bytes 1024-2047");
        yield return ("bytes-equals", "bytes=0-0");
    }

    public override bool Run(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (!ContentRange.TryParse(text, out var range))
        {
            return false;
        }

        Expect(range.Start >= 0, "a chunk starts at or after byte zero");
        Expect(range.End >= range.Start, "a chunk ends at or after its start");
        Expect(range.Length >= 1, "a chunk holds at least one byte");

        return true;
    }
}
