namespace Berth.Cli;

/// <summary>Where a command writes: results always, news of progress unless <c>--quiet</c>, errors to stderr.</summary>
public sealed class Output(TextWriter standard, TextWriter error, bool quiet)
{
    public bool Quiet { get; } = quiet;

    public TextWriter Standard { get; } = standard;

    /// <summary>What the command was asked for (a list, a digest): printed even with --quiet.</summary>
    public void Result(string line) => Standard.WriteLine(line);

    /// <summary>What happened along the way.</summary>
    public void Info(string line)
    {
        if (!Quiet)
        {
            Standard.WriteLine(line);
        }
    }

    public void Error(string line) => error.WriteLine(line);

    /// <summary>Rows as columns padded to their widest cell.</summary>
    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Count).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            Result(string.Join("  ", row.Select((cell, i) => i == row.Count - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}
