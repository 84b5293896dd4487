using System.Text.Json.Nodes;
using Berth.Plugins;

namespace Berth.Server.Plugins;

/// <summary>The importers the server loaded at start, found by importer type id or by the unit types they handle.</summary>
public sealed class PluginCatalog(IReadOnlyList<LoadedImporter> importers)
{
    public IReadOnlyList<LoadedImporter> Importers { get; } = importers;

    /// <summary>Every unit type some importer handles; several importers may handle one type.</summary>
    public IEnumerable<UnitTypeDefinition> UnitTypes => Importers.SelectMany(i => i.Metadata.Types).DistinctBy(t => t.Id);

    public LoadedImporter? FindImporter(string importerTypeId) => Importers.FirstOrDefault(i => i.Id == importerTypeId);

    /// <summary>
    /// The importer with this type id, or every importer in the group of that name (see <see cref="PluginConf"/>);
    /// empty when the name is neither.
    /// </summary>
    public IReadOnlyList<LoadedImporter> FindImportersNamed(string importerTypeIdOrGroup) =>
        FindImporter(importerTypeIdOrGroup) is { } importer
            ? [importer]
            : [.. Importers.Where(i => i.Conf.Groups.Contains(importerTypeIdOrGroup, StringComparer.Ordinal))];

    public UnitTypeDefinition? FindUnitType(string unitTypeId) => UnitTypes.FirstOrDefault(t => t.Id == unitTypeId);

    /// <summary>
    /// The unit type id a path names, when a plugin defines it. A path naming another answers 404, as in Pulp 2: what is
    /// under a type (its units, its orphans) is a resource under it.
    /// </summary>
    /// <exception cref="Errors.NotFoundException">When no plugin defines the type.</exception>
    public string KnownUnitType(string unitTypeId) =>
        FindUnitType(unitTypeId) is not null ? unitTypeId : throw new Errors.NotFoundException("content type", unitTypeId);

    /// <summary>
    /// A registration's configuration as responses and the audit log show it: without the keys its importer says are secret
    /// (an upstream password, say), which are kept only where the importer reads them.
    /// </summary>
    public JsonObject ShownConfig(string importerTypeId, JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var shown = (JsonObject)config.DeepClone();
        foreach (var secret in FindImporter(importerTypeId)?.Metadata.SecretConfigKeys ?? [])
        {
            shown.Remove(secret);
        }

        return shown;
    }

    /// <summary>
    /// A request body with an <c>importer_config</c> (an importer or repository update) as the audit log shows it: without any
    /// key that some importer says is secret, since the body may be meant for several importers.
    /// </summary>
    public JsonObject ShownRequest(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var shown = (JsonObject)body.DeepClone();
        if (shown["importer_config"] is JsonObject config)
        {
            foreach (var secret in Importers.SelectMany(i => i.Metadata.SecretConfigKeys))
            {
                config.Remove(secret);
            }
        }

        return shown;
    }

    /// <summary>The importers that handle a unit type, whichever repositories they are registered on.</summary>
    public IEnumerable<LoadedImporter> ImportersOfType(string unitTypeId) => Importers.Where(i => i.Handles(unitTypeId));
}
