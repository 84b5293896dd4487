using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;
using Docker.Common.References;

namespace Berth.Server.Repositories;

/// <summary>
/// The body of a repository update, in Pulp 2's shape: <c>{"delta": {"display_name"?, "description"?,
/// "notes"?, "registry_name"?, "anonymous_pull"?}}</c>. A field left out stays as it is; <c>"description"</c> and
/// <c>"registry_name"</c> may be null to clear them (a repository without a registry name is not served by the
/// registry API).
/// </summary>
public sealed record UpdateRepositoryCommand(
    string? DisplayName, Optional<string> Description, IReadOnlyDictionary<string, string>? Notes, Optional<RegistryName?> RegistryName, bool? AnonymousPull = null)
{
    private const string Delta = "delta";

    public static UpdateRepositoryCommand Read(JsonObject body)
    {
        RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, Delta);
        var delta = RequestFields.OptionalObject(body, Delta, "request", ContentError.InvalidRequest)
            ?? throw ApiException.Invalid("request.delta is required: an object of the fields to change");
        RequestFields.RejectUnknown(delta, Delta, ContentError.InvalidRequest, "display_name", "description", "notes", "registry_name", "anonymous_pull");
        return new UpdateRepositoryCommand(
            RequestFields.OptionalString(delta, "display_name", Delta, ContentError.InvalidRequest),
            delta.ContainsKey("description") ? Optional.Of(RequestFields.OptionalString(delta, "description", Delta, ContentError.InvalidRequest)) : default,
            CreateRepositoryCommand.ReadNotes(delta, Delta),
            delta.ContainsKey("registry_name") ? Optional.Of(CreateRepositoryCommand.ReadRegistryName(delta, Delta)) : default,
            RequestFields.OptionalBoolean(delta, "anonymous_pull", Delta, ContentError.InvalidRequest));
    }
}
