using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Server.Plugins;

/// <summary>
/// One file of <c>plugins.conf.d</c>: which importer type id to load from which assembly, its default configuration,
/// and the groups it belongs to. <code>{"type_id": "...", "assembly": "plugins/Name/Name.dll", "default_config": {...}, "groups": [...]}</code>
/// A relative assembly path is taken from the server's own folder. A group is a type id that stands for every
/// importer in it: clients that know one importer where Berth has several (Pulp 2's <c>docker_importer</c>) register
/// them all at once.
/// </summary>
public sealed record PluginConf(string File, string TypeId, string AssemblyPath, JsonObject DefaultConfig, IReadOnlyList<string> Groups)
{
    private static readonly string[] Fields = ["type_id", "assembly", "default_config", "groups"];

    public static PluginConf Read(string file, string baseDirectory)
    {
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(System.IO.File.ReadAllText(file), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new PluginLoadException(file, $"not valid JSON: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new PluginLoadException(file, $"cannot be read: {e.Message}", e);
        }

        if (json is not JsonObject conf)
        {
            throw new PluginLoadException(file, "must hold a JSON object with type_id, assembly and default_config");
        }

        var unknown = conf.Select(p => p.Key).Where(k => !Fields.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new PluginLoadException(file, $"unknown field {string.Join(", ", unknown)}; the fields are {string.Join(", ", Fields)}");
        }

        var typeId = RequiredString(conf, "type_id", file);
        var assembly = RequiredString(conf, "assembly", file);
        var defaultConfig = conf["default_config"] switch
        {
            null => [],
            JsonObject config => (JsonObject)config.DeepClone(),
            _ => throw new PluginLoadException(file, "default_config must be a JSON object"),
        };
        var groups = conf["groups"] switch
        {
            null => [],
            JsonArray names when names.All(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > 0) =>
                names.Select(n => n!.GetValue<string>()).Distinct(StringComparer.Ordinal).ToList(),
            _ => throw new PluginLoadException(file, "groups must be a list of non-empty strings"),
        };
        if (groups.Contains(typeId, StringComparer.Ordinal))
        {
            throw new PluginLoadException(file, $"groups must not name the importer's own type id {typeId}");
        }

        var assemblyPath = Path.GetFullPath(assembly, baseDirectory);
        if (!System.IO.File.Exists(assemblyPath))
        {
            throw new PluginLoadException(file, $"the assembly {assemblyPath} does not exist (build the solution, or fix the path in \"assembly\")");
        }

        return new PluginConf(file, typeId, assemblyPath, defaultConfig, groups);
    }

    private static string RequiredString(JsonObject conf, string name, string file) =>
        conf[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text
            ? text
            : throw new PluginLoadException(file, $"\"{name}\" is required and must be a non-empty string");
}
