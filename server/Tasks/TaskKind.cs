namespace Berth.Server.Tasks;

/// <summary>What a task does: Pulp 2's task type and the action its tags name (<c>pulp:action:sync</c>).</summary>
public sealed record TaskKind(string TaskType, string Action)
{
    public static readonly TaskKind Sync = new("pulp.server.managers.repo.sync.sync", "sync");

    public static readonly TaskKind RepositoryDelete = new("pulp.server.tasks.repository.delete", "delete");

    public static readonly TaskKind ImportUpload = new("pulp.server.managers.content.upload.import_uploaded_unit", "import_upload");

    public static readonly TaskKind Associate = new("pulp.server.managers.repo.unit_association.associate_from_repo", "associate");

    public static readonly TaskKind Unassociate = new("pulp.server.managers.repo.unit_association.unassociate_by_criteria", "unassociate");

    public static readonly TaskKind DeleteOrphans = new("pulp.server.managers.content.orphan.delete_all_orphans", "delete_orphans");

    public static readonly TaskKind DeleteOrphansByType = new("pulp.server.managers.content.orphan.delete_orphans_by_type", "delete_orphans");

    public static readonly TaskKind DeleteOrphansById = new("pulp.server.managers.content.orphan.delete_orphans_by_id", "delete_orphans");

    private static readonly TaskKind[] Known = [Sync, RepositoryDelete, ImportUpload, Associate, Unassociate, DeleteOrphans, DeleteOrphansByType, DeleteOrphansById];

    /// <summary>The kind of a stored task type; one this server does not know keeps its type and has no action.</summary>
    public static TaskKind Of(string taskType) => Known.FirstOrDefault(k => k.TaskType == taskType) ?? new(taskType, "");
}
