using System.Diagnostics;
using Berth.Plugins;
using NUnit.Framework;

namespace Berth.Tests.Access;

/// <summary>Grant and retention patterns: <c>*</c> any run (slashes too), <c>?</c> one character, matched whole; and which covers which.</summary>
public sealed class GlobPatternTests
{
    [TestCase("*", "", true)]
    [TestCase("*", "team/app", true)]
    [TestCase("team/*", "team/app/x", true)]
    [TestCase("team/*", "team", false)]
    [TestCase("team/?", "team/a", true)]
    [TestCase("team/?", "team/ab", false)]
    [TestCase("a*b*c", "abc", true)]
    [TestCase("a*b*c", "axxbyyc", true)]
    [TestCase("a*b*c", "axxbyy", false)]
    [TestCase("*.tmp", "x.tmp.tmp", true)]
    [TestCase("app", "App", false)]
    [TestCase("a*", "b", false)]
    [TestCase("**", "anything", true)]
    [TestCase("x*", "x*", true)]
    [TestCase("*a", "b*a", true)]
    public void IsMatch(string pattern, string subject, bool matches) =>
        Assert.That(GlobPattern.IsMatch(pattern, subject), Is.EqualTo(matches));

    [Test]
    public void IsMatch_APatternBuiltToBacktrack_TakesNoTime()
    {
        var pattern = string.Concat(Enumerable.Repeat("*a", 120)) + "b";
        var subject = new string('a', 255);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            Assert.That(GlobPattern.IsMatch(pattern, subject), Is.False);
        }

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "a hundred matches of the worst pattern");
    }

    [TestCase("*", "team/*", true)]
    [TestCase("team/*", "team/app", true)]
    [TestCase("team/*", "team/?", true)]
    [TestCase("team/*", "team/*/x", true)]
    [TestCase("team/?", "team/*", false)]
    [TestCase("team/*", "team*", false)]
    [TestCase("team/*", "?eam/*", false)]
    [TestCase("team/app", "team/app", true)]
    [TestCase("team/app", "team/ap?", false)]
    [TestCase("a*c", "ab*c", true)]
    [TestCase("a*c", "a*", false)]
    public void Covers(string outer, string inner, bool covers) =>
        Assert.That(GlobPattern.Covers(outer, inner), Is.EqualTo(covers));
}
