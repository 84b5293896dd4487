using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;

namespace Berth.Server.Repositories;

/// <summary>The body of a repository creation: <c>{"id", "display_name"?, "description"?, "notes"?}</c>.</summary>
public sealed record CreateRepositoryCommand(RepositoryId Id, string? DisplayName, string? Description, IReadOnlyDictionary<string, string> Notes)
{
    private const string Body = "request";

    public static CreateRepositoryCommand Read(JsonObject body)
    {
        RequestFields.RejectUnknown(body, Body, ContentError.InvalidRequest, "id", "display_name", "description", "notes");
        var idText = RequestFields.RequireString(body, "id", Body, ContentError.InvalidRequest);
        if (!RepositoryId.TryParse(idText, out var id, out var problem))
        {
            throw ApiException.Invalid(problem, new JsonObject { ["property_names"] = new JsonArray("id") });
        }

        var notes = RequestFields.OptionalObject(body, "notes", Body, ContentError.InvalidRequest) ?? [];
        var wrong = notes.Where(n => n.Value is null || n.Value.GetValueKind() != JsonValueKind.String).Select(n => n.Key).ToList();
        if (wrong.Count > 0)
        {
            throw ApiException.Invalid($"notes must map names to strings; not strings: {string.Join(", ", wrong)}");
        }

        return new CreateRepositoryCommand(
            id,
            RequestFields.OptionalString(body, "display_name", Body, ContentError.InvalidRequest),
            RequestFields.OptionalString(body, "description", Body, ContentError.InvalidRequest),
            notes.ToDictionary(n => n.Key, n => n.Value!.GetValue<string>(), StringComparer.Ordinal));
    }
}
