using Berth.Server.Access;
using Berth.Server.Repositories;

namespace Berth.Server.TagHistory;

/// <summary>
/// Records tag moves as they happen, with who made them (the caller of the request under way, when there is one)
/// and when. Every path that sets or removes a tag calls it: imports (uploads, pushes, promotion, rollback) through
/// the import conduit, and the removals.
/// </summary>
public sealed class TagHistoryRecorder(ITagHistoryStore store, IHttpContextAccessor http, AccessControl access, TimeProvider clock)
{
    public async Task RecordAsync(RepositoryId repository, string tag, string? oldDigest, string? newDigest, CancellationToken cancellationToken)
    {
        if (oldDigest == newDigest)
        {
            return;
        }

        var actor = http.HttpContext is { } context ? (await access.CallerAsync(context)).Login ?? "anonymous" : "server";
        await store.AppendAsync(new TagMove(repository, tag, clock.GetUtcNow(), actor, oldDigest, newDigest), cancellationToken);
    }
}
