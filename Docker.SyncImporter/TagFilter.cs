using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Docker.SyncImporter;

/// <summary>
/// Which upstream tags a sync brings: <c>{"include": [globs], "exclude": [globs]}</c>, with <c>*</c> and <c>?</c>; a tag is
/// brought when it matches an include (or none is given) and no exclude. pulp_docker's list of tags is an include list.
/// </summary>
internal sealed record TagFilter(IReadOnlyList<string> Include, IReadOnlyList<string> Exclude)
{
    private const int MostPatterns = 1000;

    public static TagFilter All { get; } = new([], []);

    /// <summary>
    /// The tags to fetch by name when every include is a plain tag: then the sync asks for those and never pages through
    /// the upstream's whole tag list.
    /// </summary>
    public IReadOnlyList<string>? Literal =>
        Include.Count > 0 && Include.All(p => !p.Contains('*', StringComparison.Ordinal) && !p.Contains('?', StringComparison.Ordinal))
            ? [.. Include.Where(Matches).Distinct(StringComparer.Ordinal)]
            : null;

    public bool Matches(string tag) =>
        (Include.Count == 0 || Include.Any(p => GlobPattern.IsMatch(p, tag))) && !Exclude.Any(p => GlobPattern.IsMatch(p, tag));

    public static TagFilter? Read(JsonObject config, string key, string objectName)
    {
        // pulp_docker's form: a list of the tags to sync.
        if (config[key] is JsonArray tags)
        {
            return new TagFilter(Patterns(new JsonObject { ["include"] = tags.DeepClone() }, "include", $"{objectName}.{key}"), []);
        }

        var filter = RequestFields.OptionalObject(config, key, objectName, ContentError.InvalidConfiguration);
        if (filter is null)
        {
            return null;
        }

        RequestFields.RejectUnknown(filter, $"{objectName}.{key}", ContentError.InvalidConfiguration, "include", "exclude");
        return new TagFilter(Patterns(filter, "include", $"{objectName}.{key}"), Patterns(filter, "exclude", $"{objectName}.{key}"));
    }

    private static IReadOnlyList<string> Patterns(JsonObject filter, string key, string objectName)
    {
        if (!filter.TryGetPropertyValue(key, out var node) || node is null)
        {
            return [];
        }

        if (node is not JsonArray array || array.Count > MostPatterns
            || array.Any(p => p is null || p.GetValueKind() != JsonValueKind.String || p.GetValue<string>().Length is 0 or > 256))
        {
            throw new ContentException(
                ContentError.InvalidConfiguration,
                $"{objectName}.{key} must be a list of at most {MostPatterns} tag patterns (* and ? as wildcards), such as [\"3.*\", \"latest\"]");
        }

        return [.. array.Select(p => p!.GetValue<string>())];
    }
}
