namespace Berth.Server.Retention;

/// <summary>A retention policy as the content API shows it and the metadata store keeps it.</summary>
public sealed record RetentionPolicyResponse(IReadOnlyList<TagRule> Tags, long? UntaggedOlderThanSeconds)
{
    public static RetentionPolicyResponse From(RetentionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new([.. policy.Tags], policy.UntaggedOlderThan is { } age ? (long)age.TotalSeconds : null);
    }
}
