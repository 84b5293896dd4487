using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Cli.Connection;

/// <summary>
/// The content API over HTTP. Refusals become <see cref="CliException"/>s carrying the server's own message (exit
/// code 2); a server that cannot be reached, or a connection that breaks, exit code 3.
/// </summary>
public sealed class BerthClient : IDisposable
{
    public const string Api = "/pulp/api/v2";
    private readonly HttpClient _http;

    public BerthClient(Credentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        Credentials = credentials;
        _http = new HttpClient { BaseAddress = credentials.Server, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("berth-cli", typeof(BerthClient).Assembly.GetName().Version?.ToString(3)));
        if (credentials.Username is { } username)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{credentials.Password}"));
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }
    }

    public Credentials Credentials { get; }

    public Task<JsonNode> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Api + path), cancellationToken);

    /// <summary>GET, or null when the server says there is no such thing (404).</summary>
    public async Task<JsonNode?> FindAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await GetAsync(path, cancellationToken);
        }
        catch (ServerRefusedException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<JsonNode> PostAsync(string path, JsonNode? body, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, Api + path) { Content = Json(body) }, cancellationToken);

    public Task<JsonNode> PutAsync(string path, JsonNode? body, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Put, Api + path) { Content = Json(body) }, cancellationToken);

    public Task<JsonNode> PutAsync(string path, HttpContent content, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Put, Api + path) { Content = content }, cancellationToken);

    public Task<JsonNode> DeleteAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, Api + path), cancellationToken);

    public void Dispose() => _http.Dispose();

    private static StringContent? Json(JsonNode? body) =>
        body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>
    /// GET from the registry API (which serves content; the content API manages it), with the body left to stream.
    /// A refusal throws as any other; the caller disposes the response.
    /// </summary>
    public async Task<HttpResponseMessage> GetRegistryAsync(string path, IEnumerable<string> accept, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var mediaType in accept)
        {
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        var response = await SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw ServerRefusedException.From(message, response.StatusCode, await ReadAsync(response, cancellationToken), Credentials);
            }
        }

        return response;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(message, completion, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(
                ExitCode.Network,
                $"cannot reach {Credentials.Server}: {e.Message}. Is the server running? Give its address with --server or BERTH_SERVER.");
        }
    }

    private async Task<string> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCode.Network, $"the connection to {Credentials.Server} broke: {e.Message}");
        }
    }

    private async Task<JsonNode> SendAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        using var message = request();
        using var response = await SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await ReadAsync(response, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw ServerRefusedException.From(message, response.StatusCode, text, Credentials);
        }

        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
    }
}
