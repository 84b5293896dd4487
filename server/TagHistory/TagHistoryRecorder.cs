using Berth.Server.Access;
using Berth.Server.Repositories;
using Berth.Server.Storage;

namespace Berth.Server.TagHistory;

/// <summary>
/// Records tag moves as they happen, with who made them (the caller of the request under way, when there is one)
/// and when, in the unit of work that moves the tag. Every path that sets or removes a tag comes here through the
/// membership service: imports (uploads, pushes, promotion, rollback) and removals.
/// </summary>
public sealed class TagHistoryRecorder(IHttpContextAccessor http, AccessControl access, TimeProvider clock)
{
    public async Task RecordAsync(UnitOfWork work, RepositoryId repository, string tag, string? oldDigest, string? newDigest)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (oldDigest == newDigest)
        {
            return;
        }

        var actor = http.HttpContext is { } context ? (await access.CallerAsync(context)).Login ?? "anonymous" : "server";
        work.Record(new TagMove(repository, tag, clock.GetUtcNow(), actor, oldDigest, newDigest));
    }
}
