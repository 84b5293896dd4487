using System.Reflection;
using Berth.Plugins;
using McMaster.NETCore.Plugins;

namespace Berth.Server.Plugins;

/// <summary>
/// Loads importer plugins named by the files of <c>plugins.conf.d</c>, each assembly in its own load context
/// that shares only the plugin contract with the server. Any problem stops start-up with the file and reason.
/// </summary>
public static class ImporterPluginLoader
{
    public static IReadOnlyList<LoadedImporter> LoadAll(string confDirectory, string baseDirectory)
    {
        if (!Directory.Exists(confDirectory))
        {
            throw new PluginLoadException(confDirectory, "the plugin folder does not exist");
        }

        var importers = new List<LoadedImporter>();
        foreach (var file in Directory.EnumerateFiles(confDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            var loaded = Load(PluginConf.Read(file, baseDirectory));
            var clash = importers.FirstOrDefault(i => i.Id == loaded.Id);
            if (clash is not null)
            {
                throw new PluginLoadException(file, $"type id {loaded.Id} is already loaded from {clash.Conf.File}");
            }

            importers.Add(loaded);
        }

        if (importers.Count == 0)
        {
            throw new PluginLoadException(confDirectory, "no plugin files (*.json) found; the server needs at least one importer");
        }

        // A name is an importer or a group, never both: a registration by it must mean one thing.
        var ambiguous = importers.FirstOrDefault(i => i.Conf.Groups.Any(g => importers.Any(other => other.Id == g)));
        if (ambiguous is not null)
        {
            throw new PluginLoadException(
                ambiguous.Conf.File, $"groups name {string.Join(", ", ambiguous.Conf.Groups.Where(g => importers.Any(i => i.Id == g)))}, which is an importer's type id");
        }

        return importers;
    }

    public static LoadedImporter Load(PluginConf conf)
    {
        ArgumentNullException.ThrowIfNull(conf);
        Assembly assembly;
        try
        {
            var loader = PluginLoader.CreateFromAssemblyFile(
                conf.AssemblyPath,
                sharedTypes: [typeof(IImporter)],
                configure: config => config.PreferSharedTypes = true);
            assembly = loader.LoadDefaultAssembly();
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
        {
            throw new PluginLoadException(conf.File, $"cannot load {conf.AssemblyPath}: {e.Message}", e);
        }

        List<IImporter> candidates;
        try
        {
            candidates = [.. assembly.GetExportedTypes()
                .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IImporter).IsAssignableFrom(t))
                .Select(t => (IImporter)Activator.CreateInstance(t)!)];
        }
        catch (Exception e) when (e is ReflectionTypeLoadException or TargetInvocationException or MissingMethodException or TypeLoadException)
        {
            throw new PluginLoadException(conf.File, $"cannot create the importers of {conf.AssemblyPath}: {e.Message}", e);
        }

        var importer = candidates.FirstOrDefault(i => i.Metadata.Id == conf.TypeId);
        if (importer is null)
        {
            var found = candidates.Count == 0 ? "none" : string.Join(", ", candidates.Select(c => c.Metadata.Id));
            throw new PluginLoadException(conf.File, $"{conf.AssemblyPath} has no importer with type id {conf.TypeId} (importers found: {found})");
        }

        try
        {
            importer.ValidateConfig(conf.DefaultConfig);
        }
        catch (ContentException e)
        {
            throw new PluginLoadException(conf.File, $"default_config is not valid for {conf.TypeId}: {e.Message}", e);
        }

        return new LoadedImporter(importer, conf);
    }
}
