using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;
using Docker.Common.References;

namespace Berth.Server.Repositories;

/// <summary>
/// The body of a repository creation: <c>{"id", "display_name"?, "description"?, "notes"?, "registry_name"?,
/// "anonymous_pull"?, "importer_type_id"?, "importer_config"?}</c>.
/// Without a registry name, the id serves as one when it is a valid name that no other repository uses. With an
/// importer type id (or a group of importers, as Pulp 2's <c>docker_importer</c>), the repository is created with
/// that importer registered, in one step, as Pulp 2 does.
/// </summary>
public sealed record CreateRepositoryCommand(
    RepositoryId Id,
    string? DisplayName,
    string? Description,
    IReadOnlyDictionary<string, string> Notes,
    RegistryName? RegistryName,
    bool AnonymousPull = false,
    string? ImporterTypeId = null,
    JsonObject? ImporterConfig = null)
{
    private const string Body = "request";

    /// <summary>The id read as a registry name, when it can be one: what the repository is named by default.</summary>
    public RegistryName? IdAsRegistryName => Docker.Common.References.RegistryName.TryParse(Id.Value, out var name, out _) ? name : null;

    public static CreateRepositoryCommand Read(JsonObject body)
    {
        RequestFields.RejectUnknown(
            body, Body, ContentError.InvalidRequest, "id", "display_name", "description", "notes", "registry_name", "anonymous_pull", "importer_type_id", "importer_config");
        var idText = RequestFields.RequireString(body, "id", Body, ContentError.InvalidRequest);
        if (!RepositoryId.TryParse(idText, out var id, out var problem))
        {
            throw ApiException.Invalid(problem, new JsonObject { ["property_names"] = new JsonArray("id") });
        }

        var importerTypeId = RequestFields.OptionalString(body, "importer_type_id", Body, ContentError.InvalidRequest);
        var importerConfig = RequestFields.OptionalObject(body, "importer_config", Body, ContentError.InvalidRequest);
        if (importerConfig is not null && importerTypeId is null)
        {
            throw ApiException.Invalid(
                "importer_config needs importer_type_id: the importer to register with that configuration",
                new JsonObject { ["property_names"] = new JsonArray("importer_type_id") });
        }

        return new CreateRepositoryCommand(
            id,
            RequestFields.OptionalString(body, "display_name", Body, ContentError.InvalidRequest),
            RequestFields.OptionalString(body, "description", Body, ContentError.InvalidRequest),
            ReadNotes(body, Body) ?? new Dictionary<string, string>(),
            ReadRegistryName(body, Body),
            RequestFields.OptionalBoolean(body, "anonymous_pull", Body, ContentError.InvalidRequest) ?? false,
            importerTypeId,
            (JsonObject?)importerConfig?.DeepClone());
    }

    internal static Dictionary<string, string>? ReadNotes(JsonObject body, string objectName)
    {
        var notes = RequestFields.OptionalObject(body, "notes", objectName, ContentError.InvalidRequest);
        if (notes is null)
        {
            return null;
        }

        var wrong = notes.Where(n => n.Value is null || n.Value.GetValueKind() != JsonValueKind.String).Select(n => n.Key).ToList();
        if (wrong.Count > 0)
        {
            throw ApiException.Invalid($"notes must map names to strings; not strings: {string.Join(", ", wrong)}");
        }

        return notes.ToDictionary(n => n.Key, n => n.Value!.GetValue<string>(), StringComparer.Ordinal);
    }

    internal static RegistryName? ReadRegistryName(JsonObject body, string objectName)
    {
        var text = RequestFields.OptionalString(body, "registry_name", objectName, ContentError.InvalidRequest);
        if (text is null)
        {
            return null;
        }

        return Docker.Common.References.RegistryName.TryParse(text, out var name, out var problem)
            ? name
            : throw ApiException.Invalid($"registry_name: {problem}", new JsonObject { ["property_names"] = new JsonArray("registry_name") });
    }
}
