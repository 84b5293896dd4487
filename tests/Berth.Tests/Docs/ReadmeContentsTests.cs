using System.Text.RegularExpressions;
using Berth.Tests.Support;
using NUnit.Framework;

namespace Berth.Tests.Docs;

/// <summary>The README's table of contents names every section, in order, with links that reach them.</summary>
public sealed partial class ReadmeContentsTests
{
    [Test]
    public void TheContents_ListEverySectionInOrder_WithTheAnchorsTheHeadingsGet()
    {
        var lines = File.ReadAllLines(SourceTree.PathOf("README.md"));
        var contentsAt = Array.IndexOf(lines, "## Contents");
        Assert.That(contentsAt, Is.GreaterThan(0), "the README has a '## Contents' section");

        var listed = lines.Skip(contentsAt + 1)
            .TakeWhile(line => !line.StartsWith('#'))
            .Select(line => ContentsEntry().Match(line))
            .Where(m => m.Success)
            .Select(m => (Level: m.Groups["indent"].Length == 0 ? 2 : 3, Title: m.Groups["title"].Value, Anchor: m.Groups["anchor"].Value))
            .ToList();

        var inCode = false;
        var sections = new List<(int Level, string Title, string Anchor)>();
        foreach (var line in lines.Skip(contentsAt + 1))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
            }
            else if (!inCode && Heading().Match(line) is { Success: true } heading)
            {
                var title = heading.Groups["title"].Value;
                sections.Add((heading.Groups["hashes"].Length, title, AnchorOf(title)));
            }
        }

        Assert.That(listed, Is.EqualTo(sections));
    }

    // How GitHub names a heading's anchor: lower case, punctuation dropped, spaces to hyphens.
    private static string AnchorOf(string title) =>
        AnchorDropped().Replace(title.ToLowerInvariant(), string.Empty).Replace(' ', '-');

    [GeneratedRegex(@"^(?<indent>\s*)- \[(?<title>[^\]]+)\]\(#(?<anchor>[^)]+)\)$")]
    private static partial Regex ContentsEntry();

    [GeneratedRegex(@"^(?<hashes>#{2,3}) (?<title>.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{N} _-]")]
    private static partial Regex AnchorDropped();
}
