using System.Globalization;

namespace Berth.Server.Ui;

/// <summary>How the UI writes times and sizes: the same way on every page.</summary>
public static class UiFormat
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB"),
    };

    /// <summary>A span of time in the largest unit that says it whole enough.</summary>
    public static string Duration(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0.##} days"),
        { TotalHours: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.##} hours"),
        { TotalMinutes: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.##} minutes"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.##} seconds"),
    };

    /// <summary>A grant as people read it: the pattern and what it allows.</summary>
    public static string Grant(Access.Grant grant)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return $"{grant.Pattern}: {string.Join(", ", Access.AccessActions.Names(grant.Actions))}";
    }

    /// <summary>A retention policy in words.</summary>
    public static string Policy(Retention.RetentionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var rules = policy.Tags.Select(r => $"keep the newest {r.Keep} of the tags matching '{r.Pattern}'").ToList();
        if (policy.UntaggedOlderThan is { } age)
        {
            rules.Add(string.Create(CultureInfo.InvariantCulture, $"remove untagged manifests after {age.TotalDays:0.##} days"));
        }

        return rules.Count == 0 ? "a policy that removes nothing." : string.Join("; then ", rules) + ".";
    }

    /// <summary>A digest shortened for a table cell; the full one is in the link's title and the image page.</summary>
    public static string Abbreviated(string digest) => digest.Length > 19 ? digest[..19] + "…" : digest;
}
