using Berth.Server;
using Berth.Server.Hosting;
using Berth.Server.Storage;
using Berth.Server.Storage.Migration;
using Berth.Server.Verification;

ServerCommandLine commandLine;
try
{
    commandLine = ServerCommandLine.Parse(args);
}
catch (CommandLineException e)
{
    // Before anything is created: a mistyped switch must not start a server on the default port and data folder.
    await Console.Error.WriteLineAsync($"berth: {e.Message} (--help lists what the server takes)");
    return 2;
}

switch (commandLine.Command)
{
    case ServerCommand.Help:
        await Console.Out.WriteAsync(ServerUsage.Text);
        return 0;
    case ServerCommand.Version:
        await Console.Out.WriteLineAsync($"Berth.Server {ServerUsage.Version}");
        return 0;
}

// Whatever umask the server was started with, what it stores (password and token hashes among it) is for its own
// user only: files 0600, folders 0700.
NativeFiles.CreatePrivateFiles();

// appsettings.json sits next to the server's assembly, wherever the server is started from.
string[] settings = [.. commandLine.Settings];
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = settings, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddCommandLine(settings, new Dictionary<string, string>(ServerCommandLine.SwitchMappings));
builder.Services.AddBerth(builder.Configuration);

try
{
    // Inside the try: building the host reads the options, and limits out of range refuse to start there.
    var app = builder.Build();
    if (commandLine.Command == ServerCommand.Verify)
    {
        return await VerifyCommand.RunAsync(app.Services, Console.Out, CancellationToken.None);
    }

    if (commandLine.Command == ServerCommand.Migrate)
    {
        return await MigrateCommand.RunAsync(app.Services, Console.Out, Console.Error, CancellationToken.None);
    }

    app.UseBerth();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (StartFailure.Describe(e) is { } reason)
{
    await Console.Error.WriteLineAsync($"berth: cannot start: {reason}");
    return 2;
}

/// <summary>The entry point, visible to the in-process test host.</summary>
public partial class Program;
