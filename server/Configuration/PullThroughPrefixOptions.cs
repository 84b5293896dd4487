namespace Berth.Server.Configuration;

/// <summary>
/// One upstream proxied by name (<c>Berth:PullThrough</c>, a list): a pull of <c>PREFIX/NAME</c> that no repository holds
/// creates the repository, a pull-through cache of <c>NAME</c> at the feed.
/// </summary>
public sealed class PullThroughPrefixOptions
{
    /// <summary>The first components of the names that go to this upstream: <c>hub</c>, or <c>mirrors/quay</c>.</summary>
    public string? Prefix { get; set; }

    /// <summary>The upstream registry: <c>https://registry-1.docker.io</c>.</summary>
    public string? Feed { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>How long a tag is served before the upstream is asked again, in seconds; the importer's default when unset.</summary>
    public long? TagRefreshSeconds { get; set; }
}
