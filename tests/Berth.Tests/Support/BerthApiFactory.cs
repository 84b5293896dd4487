using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Berth.Tests.Support;

/// <summary>
/// The server in process, over a data folder of its own. Another factory over the same folder is the same
/// server restarted. With <paramref name="pluginsConfDir"/> it loads the plugins named there instead of the
/// default ones; <paramref name="settings"/> are configuration keys to set, such as <c>Berth:UploadExpiry</c>.
/// </summary>
public sealed class BerthApiFactory(string dataDir, string? pluginsConfDir = null, IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<Program>
{
    public string DataDir { get; } = dataDir;

    /// <summary>What the server logged as errors.</summary>
    public ServerErrorLog ErrorLog { get; } = new();

    public ContentApiClient CreateContentApiClient() => new(CreateClient().SignIn());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Berth:DataDir", DataDir);
        builder.UseSetting("Berth:AdminPassword", TestCredentials.AdminPassword);
        builder.ConfigureLogging(logging => logging.AddProvider(ErrorLog));
        if (pluginsConfDir is not null)
        {
            builder.UseSetting("Berth:PluginsConfDir", pluginsConfDir);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }
}
