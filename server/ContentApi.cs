namespace Berth.Server;

/// <summary>The content API's root and the addresses of its resources, as written in <c>_href</c> fields.</summary>
public static class ContentApi
{
    public const string Root = "/pulp/api/v2";

    public static string RepositoryHref(string repositoryId) => $"{Root}/repositories/{repositoryId}/";

    public static string ImporterHref(string repositoryId, string importerTypeId) => $"{Root}/repositories/{repositoryId}/importers/{importerTypeId}/";

    public static string UploadHref(string uploadId) => $"{Root}/content/uploads/{uploadId}/";

    public static string ImporterPluginHref(string importerTypeId) => $"{Root}/plugins/importers/{importerTypeId}/";

    public static string UnitTypeHref(string unitTypeId) => $"{Root}/plugins/types/{unitTypeId}/";

    public static string SyncScheduleHref(string repositoryId, string importerTypeId, string scheduleId) =>
        $"{Root}/repositories/{repositoryId}/importers/{importerTypeId}/schedules/sync/{scheduleId}/";

    public static string TaskHref(string taskId) => $"{Root}/tasks/{taskId}/";

    public static string UnitHref(string unitTypeId, string unitId) => $"{Root}/content/units/{unitTypeId}/{unitId}/";

    public static string OrphansHref(string unitTypeId) => $"{Root}/content/orphans/{unitTypeId}/";

    public static string OrphanHref(string unitTypeId, string unitId) => $"{Root}/content/orphans/{unitTypeId}/{unitId}/";
}
