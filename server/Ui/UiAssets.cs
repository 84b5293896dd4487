using System.Reflection;

namespace Berth.Server.Ui;

/// <summary>
/// The UI's stylesheet and script, built into the server's assembly: no static files to copy, no CDN, so the UI works
/// offline wherever the server runs.
/// </summary>
public static class UiAssets
{
    private static readonly Dictionary<string, (string ContentType, byte[] Bytes)> Files = Load();

    public static void MapUiAssets(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(UiPaths.Assets + "/{name}", (string name, HttpContext context) =>
        {
            if (!Files.TryGetValue(name, out var file))
            {
                return Results.NotFound();
            }

            // Pages are never cached; their assets may be, briefly: a new server version is seen within the hour.
            context.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Bytes(file.Bytes, file.ContentType);
        }).ExcludeFromDescription();
    }

    private static Dictionary<string, (string, byte[])> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        foreach (var (name, type) in new[] { ("berth.css", "text/css; charset=utf-8"), ("berth.js", "text/javascript; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream($"Berth.Server.Ui.Assets.{name}")
                ?? throw new InvalidOperationException($"the UI asset {name} is not built into the server");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name] = (type, copy.ToArray());
        }

        return files;
    }
}
