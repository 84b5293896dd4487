using Berth.Server.Logging;
using NUnit.Framework;

namespace Berth.Tests.Logs;

/// <summary>What <see cref="LogText.Escape"/> turns into visible escapes, class by class, and what it leaves alone.</summary>
public sealed class LogTextTests
{
    [TestCase("a\nb", @"a\nb", TestName = "Escape: line feed")]
    [TestCase("a\rb", @"a\rb", TestName = "Escape: carriage return")]
    [TestCase("a\tb", @"a\tb", TestName = "Escape: tab")]
    [TestCase("a\r\n      audit action=forged", @"a\r\n      audit action=forged", TestName = "Escape: a forged continuation line")]
    [TestCase("\0", @"\u0000", TestName = "Escape: NUL")]
    [TestCase("\u001b[2J", @"\u001b[2J", TestName = "Escape: ESC, as in a terminal control sequence")]
    [TestCase("\v\f\u001f", @"\u000b\u000c\u001f", TestName = "Escape: other C0 controls")]
    [TestCase("\u007f", @"\u007f", TestName = "Escape: DEL")]
    [TestCase("\u0080\u0085\u009b\u009f", @"\u0080\u0085\u009b\u009f", TestName = "Escape: C1 controls, NEL among them")]
    [TestCase("a\u2028b\u2029c", @"a\u2028b\u2029c", TestName = "Escape: line and paragraph separators")]
    [TestCase("\u202a\u202b\u202c\u202d\u202e", @"\u202a\u202b\u202c\u202d\u202e", TestName = "Escape: bidi embeddings and overrides")]
    [TestCase("\u2066\u2067\u2068\u2069", @"\u2066\u2067\u2068\u2069", TestName = "Escape: bidi isolates")]
    [TestCase("\u200e\u200f\u061c", @"\u200e\u200f\u061c", TestName = "Escape: bidi marks")]
    public void Escape_ControlCharacter_BecomesAVisibleEscape(string text, string expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(LogText.Escape(text), Is.EqualTo(expected));
            Assert.That(LogText.NeedsEscaping(text), Is.True);
        }
    }

    // Built at run time: attribute arguments cannot hold a lone surrogate (metadata is UTF-8).
    [Test]
    public void Escape_LoneSurrogates_BecomeVisibleEscapes()
    {
        var high = "a" + (char)0xd800 + "b";
        var low = "a" + (char)0xdc00;
        var reversed = string.Concat((char)0xdc00, (char)0xd800);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(LogText.Escape(high), Is.EqualTo(@"a\ud800b"));
            Assert.That(LogText.Escape(low), Is.EqualTo(@"a\udc00"));
            Assert.That(LogText.Escape(reversed), Is.EqualTo(@"\udc00\ud800"));
        }
    }

    [TestCase("", TestName = "Escape: empty")]
    [TestCase("GET /v2/app/tags/list: 404 repository 'app' does not exist", TestName = "Escape: plain ASCII")]
    [TestCase(@"C:\data\new and a literal \n", TestName = "Escape: backslashes are kept")]
    [TestCase("dépôt 日本 ñ € \u00a0", TestName = "Escape: letters and symbols beyond ASCII")]
    [TestCase("tag 🚢 \U0001F600", TestName = "Escape: surrogate pairs")]
    [TestCase("\u200d\u00ad", TestName = "Escape: joiners and soft hyphens break no line")]
    public void Escape_OrdinaryText_IsUnchanged(string text)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(LogText.Escape(text), Is.SameAs(text));
            Assert.That(LogText.NeedsEscaping(text), Is.False);
        }
    }

    [Test]
    public void Escape_EveryCharacter_LeavesNoLineBreakOrControl()
    {
        var all = string.Concat(Enumerable.Range(0, 0x10000).Select(c => (char)c));

        var escaped = LogText.Escape(all);

        Assert.That(escaped.Where(c => char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069')), Is.Empty);
        Assert.That(LogText.NeedsEscaping(escaped), Is.False);
    }
}
