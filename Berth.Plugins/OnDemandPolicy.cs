namespace Berth.Plugins;

/// <summary>How a repository is served as a pull-through cache.</summary>
/// <param name="TagRefresh">How long a name (tag) fetched from the feed is served before the feed is asked again where it points.</param>
/// <param name="AcceptsPushes">Whether clients may push into the repository as well; a cache refuses pushes unless told to.</param>
/// <param name="Feed">Where the repository's content comes from, for messages: <c>https://registry.example.com/library/alpine</c>.</param>
public sealed record OnDemandPolicy(TimeSpan TagRefresh, bool AcceptsPushes, string Feed);
