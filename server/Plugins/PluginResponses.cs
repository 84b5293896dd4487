using System.Text.Json.Serialization;
using Berth.Plugins;

namespace Berth.Server.Plugins;

/// <summary>A loaded importer plugin, as <c>/plugins/importers/</c> lists it.</summary>
public sealed record ImporterPluginResponse(
    string Id,
    string DisplayName,
    IReadOnlyList<string> Types,
    [property: JsonPropertyName("_href")] string Href)
{
    public static ImporterPluginResponse From(LoadedImporter importer)
    {
        ArgumentNullException.ThrowIfNull(importer);
        return new(importer.Id, importer.Metadata.DisplayName, [.. importer.Metadata.Types.Select(t => t.Id)], ContentApi.ImporterPluginHref(importer.Id));
    }
}

/// <summary>A unit type, as <c>/plugins/types/</c> lists it.</summary>
public sealed record UnitTypeResponse(
    string Id,
    string DisplayName,
    string Description,
    IReadOnlyList<string> UnitKey,
    IReadOnlyList<string> SearchIndexes,
    bool RequiresUpload,
    [property: JsonPropertyName("_href")] string Href)
{
    public static UnitTypeResponse From(UnitTypeDefinition type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return new(type.Id, type.DisplayName, type.Description, type.UnitKeyFields, type.UnitKeyFields, type.RequiresUpload, ContentApi.UnitTypeHref(type.Id));
    }
}
