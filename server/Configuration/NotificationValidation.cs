using Berth.Server.Events;
using Microsoft.Extensions.Options;

namespace Berth.Server.Configuration;

/// <summary>Refuses to start with an endpoint that could never be delivered to, naming each setting at fault.</summary>
public sealed class NotificationValidation(IConfiguration configuration) : IValidateOptions<BerthOptions>
{
    public ValidateOptionsResult Validate(string? name, BerthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Unreadable().ToList();
        if (problems.Count == 0)
        {
            problems.AddRange(Problems(options.Notifications));
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    // The binder drops a list item it cannot read (a Timeout of "soon") without a word, and the endpoint with it: each is
    // read again here, alone, so that the start fails naming the value instead.
    private IEnumerable<string> Unreadable()
    {
        var endpoints = configuration.GetSection($"{BerthOptions.Section}:{NotificationOptions.Section}:{nameof(NotificationOptions.Endpoints)}");
        foreach (var endpoint in endpoints.GetChildren())
        {
            string? problem = null;
            try
            {
                _ = endpoint.Get<NotificationEndpointOptions>();
            }
            catch (InvalidOperationException e)
            {
                problem = e.InnerException is { } cause ? $"{e.Message.TrimEnd('.')}: {cause.Message}" : e.Message;
            }

            if (problem is not null)
            {
                yield return problem;
            }
        }
    }

    private static IEnumerable<string> Problems(NotificationOptions notifications)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < notifications.Endpoints.Count; i++)
        {
            var endpoint = notifications.Endpoints[i];
            var setting = $"{BerthOptions.Section}:{NotificationOptions.Section}:{nameof(NotificationOptions.Endpoints)}:{i}";
            if (!Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                yield return $"{setting}:{nameof(endpoint.Url)} must be an absolute http or https address, not '{endpoint.Url}'";
            }
            else if (!keys.Add(endpoint.Key))
            {
                yield return $"{setting} is named '{endpoint.Key}' like an endpoint before it: give each endpoint its own {nameof(endpoint.Name)}";
            }

            foreach (var action in endpoint.Actions.Where(a => !EventActions.All.Contains(a)))
            {
                yield return $"{setting}:{nameof(endpoint.Actions)} names '{action}', which is none of {string.Join(", ", EventActions.All)}";
            }

            foreach (var header in endpoint.Headers.Keys.Where(h => !IsRequestHeader(h)))
            {
                yield return $"{setting}:{nameof(endpoint.Headers)} names '{header}', which cannot be sent as a request header";
            }

            if (endpoint.Timeout <= TimeSpan.Zero)
            {
                yield return $"{setting}:{nameof(endpoint.Timeout)} must be more than zero";
            }

            if (endpoint.Backoff <= TimeSpan.Zero)
            {
                yield return $"{setting}:{nameof(endpoint.Backoff)} must be more than zero";
            }

            if (endpoint.MaxBackoff < endpoint.Backoff)
            {
                yield return $"{setting}:{nameof(endpoint.MaxBackoff)} must be at least {nameof(endpoint.Backoff)}";
            }
        }
    }

    // Content headers (Content-Type) and names that are not tokens are refused by HttpClient at the first delivery.
    private static bool IsRequestHeader(string header)
    {
        using var request = new HttpRequestMessage();
        return request.Headers.TryAddWithoutValidation(header, "x");
    }
}
