namespace Berth.Tests.Support;

/// <summary>A plugin folder for a test server: the server's own importers plus one of the test-only plugin's.</summary>
public static class TestPluginConf
{
    public static string WithTestImporter(TempFolder folder, string importerTypeId)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var conf = folder.Combine("plugins.conf.d");
        Directory.CreateDirectory(conf);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "plugins.conf.d")))
        {
            File.Copy(file, Path.Combine(conf, Path.GetFileName(file)), overwrite: true);
        }

        File.WriteAllText(
            Path.Combine(conf, importerTypeId + ".json"),
            $$$"""{"type_id": "{{{importerTypeId}}}", "assembly": "plugins/Berth.TestImporters/Berth.TestImporters.dll", "default_config": {}}""");
        return conf;
    }
}
