using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;
using Berth.Server.Json;

namespace Berth.Server.Retention;

/// <summary>
/// What a repository keeps. Tag rules are applied in order, each to the tags no earlier rule matched; tags no rule
/// matches are kept. Manifests and lists go when their last tag goes, or, untagged, once older than
/// <see cref="UntaggedOlderThan"/>; never while a kept manifest, list or tag needs them. Blobs go with the last
/// manifest that needed them; a blob no manifest ever needed (a push under way) stays.
/// </summary>
public sealed record RetentionPolicy(IReadOnlyList<TagRule> Tags, TimeSpan? UntaggedOlderThan)
{
    private const string Body = "policy";

    /// <summary>Reads <c>{"tags": [{"pattern", "keep"}], "untagged_older_than_seconds"}</c>, refusing anything else.</summary>
    public static RetentionPolicy Read(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequestFields.RejectUnknown(body, Body, ContentError.InvalidRequest, "tags", "untagged_older_than_seconds");
        var rules = new List<TagRule>();
        if (body["tags"] is { } node)
        {
            if (node is not JsonArray array)
            {
                throw ApiException.Invalid($"{Body}.tags must be an array of {{\"pattern\", \"keep\"}}");
            }

            foreach (var (item, index) in array.Select((item, index) => (item, index)))
            {
                var path = $"{Body}.tags[{index}]";
                if (item is not JsonObject rule)
                {
                    throw ApiException.Invalid($"{path} must be an object with pattern and keep");
                }

                RequestFields.RejectUnknown(rule, path, ContentError.InvalidRequest, "pattern", "keep");
                var pattern = RequestFields.RequireString(rule, "pattern", path, ContentError.InvalidRequest);
                if (!TagRule.IsValidPattern(pattern))
                {
                    throw ApiException.Invalid($"{path}.pattern '{pattern}' may hold only the characters of tags and the wildcards '*' and '?'");
                }

                var keep = RequestFields.OptionalNonNegativeInteger(rule, "keep", path, ContentError.InvalidRequest)
                    ?? throw ApiException.Invalid($"{path}.keep is required: how many of the matching tags to keep");
                rules.Add(new TagRule(pattern, (int)Math.Min(keep, int.MaxValue)));
            }
        }

        var seconds = RequestFields.OptionalNonNegativeInteger(body, "untagged_older_than_seconds", Body, ContentError.InvalidRequest);
        if (seconds > (long)TimeSpan.MaxValue.TotalSeconds)
        {
            throw ApiException.Invalid($"{Body}.untagged_older_than_seconds is too large");
        }

        return new RetentionPolicy(rules, seconds is { } s ? TimeSpan.FromSeconds(s) : null);
    }

    public JsonObject Describe() =>
        (JsonObject)JsonSerializer.SerializeToNode(RetentionPolicyResponse.From(this), ContentApiJsonContext.Api.RetentionPolicyResponse)!;

    public override string ToString() => Describe().ToJsonString();
}
