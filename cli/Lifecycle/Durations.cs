using System.Globalization;

namespace Berth.Cli.Lifecycle;

/// <summary>Durations on the command line, wherever a command takes an age: <c>7d</c>, <c>12h</c>, <c>30m</c>, <c>90s</c> or plain seconds.</summary>
public static class Durations
{
    /// <summary>What an option's description says it takes.</summary>
    public const string Forms = "90s, 30m, 12h, 7d or 2w";

    /// <summary>Reads a duration as whole seconds; anything else (a negative one included) is a usage error.</summary>
    public static long ParseSeconds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (number, unit) = text.Length > 0 && char.IsAsciiLetter(text[^1]) ? (text[..^1], text[^1]) : (text, 's');
        var multiplier = unit switch { 's' => 1L, 'm' => 60L, 'h' => 3600L, 'd' => 86400L, 'w' => 604800L, _ => 0L };
        return multiplier > 0 && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= long.MaxValue / multiplier
            ? value * multiplier
            : throw CliException.Usage($"'{text}' is not a duration: write it as {Forms}");
    }
}
