using System.Reflection;
using System.Text.RegularExpressions;
using Berth.Plugins;
using Berth.Server.Errors;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Errors;

/// <summary>The README's table of content API error codes is the server's list, so that neither drifts from the other.</summary>
public sealed partial class ErrorCodeListTests
{
    [Test]
    public void TheReadmeTable_ListsEveryCodeTheServerHas_WithItsStatus_AndAMeaning()
    {
        var documented = DocumentedCodes();
        var registered = RegisteredCodes();

        Assert.Multiple(() =>
        {
            Assert.That(documented.Keys.Except(registered.Keys), Is.Empty, "codes the README lists but the server does not have");
            Assert.That(registered.Keys.Except(documented.Keys), Is.Empty, "codes the server has but the README does not list");
            foreach (var (code, status) in registered.Where(r => documented.ContainsKey(r.Key)))
            {
                Assert.That(documented[code].Status, Is.EqualTo(status), $"status of {code}");
                Assert.That(documented[code].Meaning, Is.Not.Empty, $"meaning of {code}");
            }
        });
    }

    /// <summary>Every <see cref="ApiError"/> the server registers: its named errors and those importers' refusals map to.</summary>
    private static Dictionary<string, int> RegisteredCodes()
    {
        var named = typeof(ApiError).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ApiError))
            .Select(f => (ApiError)f.GetValue(null)!);
        var refusals = Enum.GetValues<ContentError>().Select(ApiError.For);
        return named.Concat(refusals).DistinctBy(e => e.Code).ToDictionary(e => e.Code, e => e.Status);
    }

    private static Dictionary<string, (int Status, string Meaning)> DocumentedCodes()
    {
        var rows = File.ReadLines(SourceTree.PathOf("README.md"))
            .Select(line => TableRow().Match(line))
            .Where(m => m.Success)
            .ToList();
        Assert.That(rows.Select(m => m.Groups["code"].Value), Is.Unique, "a code listed twice in the README");
        return rows.ToDictionary(
            m => m.Groups["code"].Value,
            m => (int.Parse(m.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups["meaning"].Value.Trim()));
    }

    [GeneratedRegex(@"^\| `(?<code>(?:PLP|BRT)\d{4})` \| (?<status>\d{3}) \| (?<meaning>.*) \|$")]
    private static partial Regex TableRow();
}
