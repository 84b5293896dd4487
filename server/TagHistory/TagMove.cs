using Berth.Server.Repositories;

namespace Berth.Server.TagHistory;

/// <summary>One move of a tag in a repository: where it pointed before (null: it was new) and after (null: removed).</summary>
public sealed record TagMove(RepositoryId Repository, string Tag, DateTimeOffset At, string Actor, string? OldDigest, string? NewDigest);
