using Berth.Server;
using Berth.Server.Plugins;
using Berth.Server.Storage;
using Berth.Server.Verification;

// Whatever umask the server was started with, what it stores (password and token hashes among it) is for its own
// user only: files 0600, folders 0700.
NativeFiles.CreatePrivateFiles();

var verify = args is [VerifyCommand.Name, ..];
if (verify)
{
    args = args[1..];
}

// appsettings.json sits next to the server's assembly, wherever the server is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
{
    ["--data-dir"] = "Berth:DataDir",
    ["--plugins-conf-dir"] = "Berth:PluginsConfDir",
});
builder.Services.AddBerth(builder.Configuration);

try
{
    // Inside the try: building the host reads the options, and limits out of range refuse to start there.
    var app = builder.Build();
    if (verify)
    {
        return await VerifyCommand.RunAsync(app.Services, Console.Out, CancellationToken.None);
    }

    app.UseBerth();
    await app.RunAsync();
    return 0;
}
catch (Microsoft.Extensions.Options.OptionsValidationException e)
{
    await Console.Error.WriteLineAsync($"berth: cannot start: {string.Join("; ", e.Failures)}");
    return 2;
}
catch (PluginLoadException e)
{
    await Console.Error.WriteLineAsync($"berth: cannot start: {e.Message}");
    return 2;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or LiteDB.LiteException)
{
    // The data folder cannot be used: not writable, full, or held by another Berth server.
    await Console.Error.WriteLineAsync($"berth: cannot start: data folder: {e.Message}");
    return 2;
}

/// <summary>The entry point, visible to the in-process test host.</summary>
public partial class Program;
