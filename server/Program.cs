using Berth.Server;
using Berth.Server.Plugins;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
{
    ["--data-dir"] = "Berth:DataDir",
    ["--plugins-conf-dir"] = "Berth:PluginsConfDir",
});
builder.Services.AddBerth(builder.Configuration);

var app = builder.Build();
app.UseBerth();
try
{
    await app.RunAsync();
    return 0;
}
catch (PluginLoadException e)
{
    await Console.Error.WriteLineAsync($"berth: cannot start: {e.Message}");
    return 2;
}

/// <summary>The entry point, visible to the in-process test host.</summary>
public partial class Program;
