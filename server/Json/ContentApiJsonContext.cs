using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Berth.Server.Access;
using Berth.Server.Errors;
using Berth.Server.Importers;
using Berth.Server.Imports;
using Berth.Server.Plugins;
using Berth.Server.Repositories;
using Berth.Server.Status;
using Berth.Server.Units;
using Berth.Server.Uploads;

namespace Berth.Server.Json;

/// <summary>Source-generated JSON for the content API's responses, in Pulp's snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PulpError))]
[JsonSerializable(typeof(PulpErrorDetail))]
[JsonSerializable(typeof(Tasks.TaskResponse))]
[JsonSerializable(typeof(List<Tasks.TaskResponse>))]
[JsonSerializable(typeof(Tasks.TaskCallReport))]
[JsonSerializable(typeof(Sync.SyncScheduleResponse))]
[JsonSerializable(typeof(List<Sync.SyncScheduleResponse>))]
[JsonSerializable(typeof(Verification.VerificationReport))]
[JsonSerializable(typeof(List<TagHistory.TagMoveResponse>))]
[JsonSerializable(typeof(RepositoryResponse))]
[JsonSerializable(typeof(List<RepositoryResponse>))]
[JsonSerializable(typeof(ImporterResponse))]
[JsonSerializable(typeof(List<ImporterResponse>))]
[JsonSerializable(typeof(UploadCreatedResponse))]
[JsonSerializable(typeof(UploadListResponse))]
[JsonSerializable(typeof(UploadStatusResponse))]
[JsonSerializable(typeof(UnitResponse))]
[JsonSerializable(typeof(List<UnitResponse>))]
[JsonSerializable(typeof(IAsyncEnumerable<UnitResponse>))]
[JsonSerializable(typeof(IAsyncEnumerable<Orphans.OrphanResponse>))]
[JsonSerializable(typeof(Orphans.OrphanResponse))]
[JsonSerializable(typeof(Dictionary<string, Orphans.OrphanTypeSummary>))]
[JsonSerializable(typeof(Orphans.OrphanCollectionReport))]
[JsonSerializable(typeof(UnitsChanged))]
[JsonSerializable(typeof(CallReport<object>))]
[JsonSerializable(typeof(CallReport<UnitResponse>))]
[JsonSerializable(typeof(CallReport<Repositories.RepositoryResponse>))]
[JsonSerializable(typeof(CallReport<Importers.ImporterResponse>))]
[JsonSerializable(typeof(CallReport<Retention.RetentionResult>))]
[JsonSerializable(typeof(Retention.RetentionPolicyResponse))]
[JsonSerializable(typeof(ImporterPluginResponse))]
[JsonSerializable(typeof(List<ImporterPluginResponse>))]
[JsonSerializable(typeof(UnitTypeResponse))]
[JsonSerializable(typeof(List<UnitTypeResponse>))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, Diagnostics.MetricTotal>))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(List<UserResponse>))]
[JsonSerializable(typeof(ApiTokenResponse))]
[JsonSerializable(typeof(List<ApiTokenResponse>))]
[JsonSerializable(typeof(ApiTokenCreatedResponse))]
[JsonSerializable(typeof(RegistryTokenResponse))]
public sealed partial class ContentApiJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context the API writes with: quotes and non-ASCII text left readable (the bodies are JSON, never
    /// embedded in HTML).
    /// </summary>
    public static ContentApiJsonContext Api { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
