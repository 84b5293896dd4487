namespace Berth.Server.Diagnostics;

/// <summary>
/// The route template a request took, as the request log and the metrics both name it: the endpoint's own template,
/// or the one an endpoint that dispatches several under one route names itself (the registry's <c>/v2/{**path}</c>,
/// whose dispatch knows <c>/v2/{name}/manifests/{reference}</c>). Always a template, never the path, so that what is
/// grouped by it stays bounded whatever the repositories are called.
/// </summary>
public static class RequestRoute
{
    /// <summary>The route of a request no endpoint took, or one the registry did not recognise.</summary>
    public const string Unmatched = "unmatched";

    private static readonly object Key = new();

    /// <summary>Names the template the request took; the last name given wins.</summary>
    public static void Name(HttpContext context, string template)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[Key] = template;
    }

    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(Key, out var named) && named is string template)
        {
            return template;
        }

        return context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } raw } ? raw : Unmatched;
    }
}
