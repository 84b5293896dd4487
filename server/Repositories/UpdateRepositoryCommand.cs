using System.Text.Json.Nodes;
using Berth.Plugins;
using Berth.Server.Errors;
using Docker.Common.References;

namespace Berth.Server.Repositories;

/// <summary>
/// The body of a repository update, in Pulp 2's shape: <c>{"delta"?: {"display_name"?, "description"?, "notes"?,
/// "registry_name"?, "anonymous_pull"?}, "importer_config"?: {...}, "distributor_configs"?: {}}</c>, one of the first
/// two at least. A field left out stays as it is; <c>"description"</c> and <c>"registry_name"</c> may be null to clear
/// them (a repository without a registry name is not served by the registry API). <c>importer_config</c> changes the
/// repository's importers' configs (see <see cref="Importers.ImporterService.ChangeConfigAsync"/>); Berth has no
/// distributors, so <c>distributor_configs</c> may only be empty.
/// </summary>
public sealed record UpdateRepositoryCommand(
    string? DisplayName,
    Optional<string> Description,
    IReadOnlyDictionary<string, string>? Notes,
    Optional<RegistryName?> RegistryName,
    bool? AnonymousPull = null,
    JsonObject? ImporterConfig = null)
{
    private const string Delta = "delta";

    /// <summary>Whether the repository's own fields change (an update may change only its importers).</summary>
    public bool ChangesRepository => DisplayName is not null || Description.IsSet || Notes is not null || RegistryName.IsSet || AnonymousPull is not null;

    public static UpdateRepositoryCommand Read(JsonObject body)
    {
        RequestFields.RejectUnknown(body, "request", ContentError.InvalidRequest, Delta, "importer_config", "distributor_configs");
        var importerConfig = (JsonObject?)RequestFields.OptionalObject(body, "importer_config", "request", ContentError.InvalidRequest)?.DeepClone();
        if (RequestFields.OptionalObject(body, "distributor_configs", "request", ContentError.InvalidRequest) is { Count: > 0 })
        {
            throw ApiException.Invalid("request.distributor_configs: Berth has no distributors (the registry API serves every repository); leave it out or empty");
        }

        var delta = RequestFields.OptionalObject(body, Delta, "request", ContentError.InvalidRequest);
        if (delta is null)
        {
            return importerConfig is not null
                ? new UpdateRepositoryCommand(null, default, null, default, null, importerConfig)
                : throw ApiException.Invalid("request.delta is required (an object of the fields to change), unless request.importer_config is given");
        }

        RequestFields.RejectUnknown(delta, Delta, ContentError.InvalidRequest, "display_name", "description", "notes", "registry_name", "anonymous_pull");
        return new UpdateRepositoryCommand(
            RequestFields.OptionalString(delta, "display_name", Delta, ContentError.InvalidRequest),
            delta.ContainsKey("description") ? Optional.Of(RequestFields.OptionalString(delta, "description", Delta, ContentError.InvalidRequest)) : default,
            CreateRepositoryCommand.ReadNotes(delta, Delta),
            delta.ContainsKey("registry_name") ? Optional.Of(CreateRepositoryCommand.ReadRegistryName(delta, Delta)) : default,
            RequestFields.OptionalBoolean(delta, "anonymous_pull", Delta, ContentError.InvalidRequest),
            importerConfig);
    }
}
