using System.Text;
using Microsoft.Net.Http.Headers;

namespace Berth.Fuzz;

/// <summary>
/// The Range header of a blob GET, parsed by ASP.NET Core before Berth seeks into a blob file. A parsed header
/// must describe only ranges that can be resolved against a file: no negative positions, no end before start.
/// </summary>
internal sealed class RangeTarget : FuzzTarget
{
    public override string Name => "range";

    public override IReadOnlyList<string> InstrumentedAssemblies => ["Microsoft.Net.Http.Headers.dll"];

    public override IEnumerable<string> Dictionary => ["bytes=", "items=", "0", "1", "9223372036854775807", "9223372036854775808", "18446744073709551615", "-", " ", ",", "\"", "\t"];

    public override IEnumerable<(string Name, string Content)> Seeds()
    {
        yield return ("closed", "bytes=0-99");
        yield return ("open", "bytes=100-");
        yield return ("suffix", "bytes=-500");
        yield return ("several", "bytes=0-0, 5-9, -1");
    }

    public override bool Run(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        if (!RangeHeaderValue.TryParse(text, out var header))
        {
            return false;
        }

        Expect(header.Unit.HasValue && header.Unit.Length > 0, "a parsed header names its unit");
        foreach (var range in header.Ranges)
        {
            Expect(range.From is not null || range.To is not null, "a range has at least one end");
            Expect(range.From is null or >= 0, "a range does not start before byte zero");
            Expect(range.To is null or >= 0, "a range does not end before byte zero");
            Expect(range.From is null || range.To is null || range.From <= range.To, "a range does not end before it starts");
        }

        return true;
    }
}
