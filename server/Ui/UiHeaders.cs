namespace Berth.Server.Ui;

/// <summary>
/// What every UI response tells the browser: scripts and styles only from this server's own files (no inline script
/// can run, whatever a pushed annotation holds), no framing, no sniffing, and pages that are not cached.
/// </summary>
public static class UiHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Add(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
    }
}
