using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Berth.Plugins;
using Docker.Common;
using Docker.Common.Digests;
using Docker.Common.References;

namespace Docker.SyncImporter;

/// <summary>
/// One upstream repository, read through the distribution API: its tags, manifests and blobs. It answers the registry's
/// challenges itself (a bearer token from the realm it names, with the configured credentials; or basic credentials), and
/// turns every failure into a <see cref="ContentError.FeedFailed"/> that names the request.
/// </summary>
internal sealed class UpstreamRegistry : IDisposable
{
    private const int TagPage = 1000;

    // Four tries a request, a quarter second, then a half, then one between them: about two seconds before giving up.
    private const int MostAttempts = 4;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromSeconds(30);

    private static readonly string Accept = string.Join(", ", MediaTypes.OciIndex, MediaTypes.DockerManifestList, MediaTypes.OciManifest, MediaTypes.DockerManifest);

    private readonly HttpClient _http;
    private readonly Uri _feed;
    private readonly RegistryName _name;
    private readonly SyncImporterConfig _config;
    private readonly SemaphoreSlim _signIn = new(1, 1);
    private AuthenticationHeaderValue? _authorization;

    public UpstreamRegistry(Uri feed, RegistryName name, SyncImporterConfig config)
    {
        _feed = feed.AbsoluteUri.EndsWith('/') ? feed : new Uri(feed.AbsoluteUri + "/");
        _name = name;
        _config = config;
        var handler = new SocketsHttpHandler
        {
            // Redirects to a blob store are followed; .NET drops the Authorization header on a redirect, so no credential leaves for another host.
            AllowAutoRedirect = true,
            MaxConnectionsPerServer = Math.Max(config.Downloads, 2),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (!config.VerifyTls || config.TrustedRoots is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Validate };
        }

        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Berth-sync/1");
        if (config.BearerToken is { } token)
        {
            _authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public string Describe => $"{_feed.AbsoluteUri.TrimEnd('/')}/{_name.Value}";

    /// <summary>Every tag of the upstream repository, following the registry's pages.</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(CancellationToken cancellationToken)
    {
        var tags = new List<string>();
        var next = new Uri(_feed, $"v2/{_name.Value}/tags/list?n={TagPage}");
        while (next is not null)
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, next), "list its tags", cancellationToken).ConfigureAwait(false);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (json.RootElement.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    tags.AddRange(list.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!));
                }
            }
            catch (JsonException e)
            {
                throw Failed("list its tags", $"the tag list is not JSON ({e.Message})");
            }

            next = NextPage(response, next);
        }

        return tags;
    }

    /// <summary>A manifest, list or index by tag or digest: its exact bytes (at most <paramref name="maxBytes"/>) and their digest.</summary>
    /// <remarks>Fetched by digest, the bytes must hash to it; fetched by tag, they must hash to the digest the registry says, if it says one.</remarks>
    public async Task<UpstreamManifest> GetManifestAsync(string reference, long maxBytes, CancellationToken cancellationToken)
    {
        var what = $"fetch manifest {reference}";
        using var response = await SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_feed, $"v2/{_name.Value}/manifests/{reference}"));
                request.Headers.TryAddWithoutValidation("Accept", Accept);
                return request;
            },
            what,
            cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw new ContentException(
                ContentError.TooLarge, $"upstream {Describe} manifest {reference} is {response.Content.Headers.ContentLength} bytes; the most a manifest may be here is {maxBytes}");
        }

        var bytes = await ReadBoundedAsync(response, maxBytes, reference, cancellationToken).ConfigureAwait(false);
        var expected = Digest.TryParse(reference, out var byDigest)
            ? byDigest
            : response.Headers.TryGetValues("Docker-Content-Digest", out var said) && Digest.TryParse(said.FirstOrDefault(), out var header) ? header : (Digest?)null;
        var actual = Digest.Compute(bytes, expected?.Algorithm ?? DigestAlgorithm.Sha256);
        if (expected is { } wanted && wanted != actual)
        {
            throw new ContentException(
                ContentError.DigestMismatch,
                $"upstream {Describe} answered manifest {reference} with bytes that hash to {actual}, not to {wanted}",
                new System.Text.Json.Nodes.JsonObject { ["expected"] = wanted.ToString(), ["actual"] = actual.ToString(), ["reference"] = reference });
        }

        return new UpstreamManifest(bytes, actual, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>
    /// The manifests whose subject is <paramref name="subject"/>: from the referrers API, or, where the upstream has none
    /// (it answers 404), from the referrers tag schema's index (<c>sha256-HEX</c>); none when neither is there.
    /// </summary>
    public async Task<IReadOnlyList<Docker.Common.Manifests.Descriptor>> ListReferrersAsync(Digest subject, long maxBytes, CancellationToken cancellationToken)
    {
        var what = $"list the referrers of {subject}";
        try
        {
            using var response = await SendAsync(
                () =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_feed, $"v2/{_name.Value}/referrers/{subject}"));
                    request.Headers.TryAddWithoutValidation("Accept", MediaTypes.OciIndex);
                    return request;
                },
                what,
                cancellationToken).ConfigureAwait(false);
            return ReferrersIn(await ReadBoundedAsync(response, maxBytes, $"referrers of {subject}", cancellationToken).ConfigureAwait(false), what);
        }
        catch (ContentException e) when (IsNotFound(e))
        {
            // No referrers API: the tag schema, if anyone kept it.
        }

        try
        {
            var index = await GetManifestAsync($"{subject.Algorithm.Name}-{subject.Encoded}", maxBytes, cancellationToken).ConfigureAwait(false);
            return ReferrersIn(index.Bytes, what);
        }
        catch (ContentException e) when (IsNotFound(e))
        {
            return [];
        }
    }

    /// <summary>Whether a refusal was the upstream's 404: it does not have what was asked for.</summary>
    public static bool IsNotFound(ContentException refusal) =>
        refusal is { Error: ContentError.FeedFailed } && refusal.Details["status"]?.GetValue<int>() == (int)HttpStatusCode.NotFound;

    /// <summary>
    /// Opens a blob's bytes as the upstream streams them, from byte <paramref name="from"/> on (a <c>Range</c> request; an
    /// upstream that ignores it answers 200 with the whole blob); the caller disposes the response.
    /// </summary>
    public async Task<HttpResponseMessage> OpenBlobAsync(Digest digest, long from, CancellationToken cancellationToken) =>
        await SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_feed, $"v2/{_name.Value}/blobs/{digest}"));
                if (from > 0)
                {
                    request.Headers.Range = new RangeHeaderValue(from, null);
                }

                return request;
            },
            $"fetch blob {digest}",
            cancellationToken).ConfigureAwait(false);

    public void Dispose()
    {
        _http.Dispose();
        _signIn.Dispose();
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, string what, CancellationToken cancellationToken)
    {
        var signedIn = false;
        for (var attempt = 1; ; attempt++)
        {
            var sent = _authorization;
            HttpResponseMessage response;
            using (var request = make())
            {
                request.Headers.Authorization = sent;
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException) when (attempt < MostAttempts)
                {
                    // A connection refused or reset: the upstream may be restarting, or a balancer shed it.
                    await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
                    continue;
                }
                catch (HttpRequestException e)
                {
                    throw Failed(what, $"{e.Message} (tried {MostAttempts} times); check importer_config.feed, and tls_verify or ca_cert for a registry with its own certificate");
                }
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && !signedIn && _config.BearerToken is null)
            {
                var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
                response.Dispose();
                await SignInAsync(challenge, sent, what, cancellationToken).ConfigureAwait(false);
                signedIn = true;
                continue;
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            if (IsRetried(response.StatusCode) && attempt < MostAttempts)
            {
                var wait = RetryAfter(response) ?? Backoff(attempt);
                response.Dispose();
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                continue;
            }

            using (response)
            {
                throw await RefusedAsync(response, what, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Too many requests, and the server errors a retry may get past.</summary>
    private static bool IsRetried(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private static TimeSpan Backoff(int attempt) => FirstBackoff * Math.Pow(2, attempt - 1);

    /// <summary>What the upstream asked to wait (<c>Retry-After</c>, seconds or a date), at most <see cref="LongestRetryAfter"/>.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var wait = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => (TimeSpan?)null,
        };
        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, 0, LongestRetryAfter.Ticks)) : null;
    }

    private async Task SignInAsync(AuthenticationHeaderValue? challenge, AuthenticationHeaderValue? sent, string what, CancellationToken cancellationToken)
    {
        await _signIn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!ReferenceEquals(_authorization, sent))
            {
                // Another request signed in meanwhile.
                return;
            }

            if (challenge is null)
            {
                throw Failed(what, "the registry asks for credentials but says not how (no WWW-Authenticate)");
            }

            if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            {
                _authorization = Basic() ?? throw Failed(what, "the registry asks for credentials: set importer_config.username and password");
                return;
            }

            if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                throw Failed(what, $"the registry asks to sign in by {challenge.Scheme}, which Berth does not speak");
            }

            _authorization = new AuthenticationHeaderValue("Bearer", await FetchTokenAsync(ChallengeParameters(challenge.Parameter), what, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            _signIn.Release();
        }
    }

    private async Task<string> FetchTokenAsync(Dictionary<string, string> parameters, string what, CancellationToken cancellationToken)
    {
        if (!parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUrl) || realmUrl.Scheme is not ("http" or "https"))
        {
            throw Failed(what, "the registry's bearer challenge names no usable realm");
        }

        var query = new List<string>();
        if (parameters.TryGetValue("service", out var service))
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        query.Add("scope=" + Uri.EscapeDataString(parameters.TryGetValue("scope", out var scope) ? scope : $"repository:{_name.Value}:pull"));
        var builder = new UriBuilder(realmUrl) { Query = string.Join('&', new[] { realmUrl.Query.TrimStart('?') }.Where(q => q.Length > 0).Concat(query)) };
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        request.Headers.Authorization = Basic();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Failed(what, $"the token service {realmUrl.GetLeftPart(UriPartial.Path)} could not be reached: {e.Message}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw Failed(
                    what,
                    $"the token service {realmUrl.GetLeftPart(UriPartial.Path)} refused ({(int)response.StatusCode})" +
                    (_config.User is null ? "; set importer_config.username and password if the upstream needs them" : "; check importer_config.username and password"));
            }

            try
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                foreach (var field in new[] { "token", "access_token" })
                {
                    if (json.RootElement.TryGetProperty(field, out var token) && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } text)
                    {
                        return text;
                    }
                }
            }
            catch (JsonException)
            {
                // Reported below with the rest.
            }

            throw Failed(what, $"the token service {realmUrl.GetLeftPart(UriPartial.Path)} answered no token");
        }
    }

    private IReadOnlyList<Docker.Common.Manifests.Descriptor> ReferrersIn(byte[] document, string what)
    {
        try
        {
            return Docker.Common.Manifests.ManifestParser.Parse(document) is Docker.Common.Manifests.ImageIndex index
                ? index.Manifests
                : throw Failed(what, "the answer is not an image index");
        }
        catch (Docker.Common.Manifests.ManifestInvalidException e)
        {
            throw Failed(what, $"the answer is not a valid image index: {e.Message}");
        }
    }

    private AuthenticationHeaderValue? Basic() =>
        _config.User is { } user && _config.Secret is { } secret
            ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{secret}")))
            : null;

    private static Dictionary<string, string> ChallengeParameters(string? parameter)
    {
        // realm="...",service="...",scope="..."; values are quoted strings without escapes in practice.
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = parameter ?? "";
        var i = 0;
        while (i < text.Length)
        {
            var equals = text.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var key = text[i..equals].Trim(' ', ',');
            string value;
            if (equals + 1 < text.Length && text[equals + 1] == '"')
            {
                var close = text.IndexOf('"', equals + 2);
                close = close < 0 ? text.Length : close;
                value = text[(equals + 2)..close];
                i = close + 1;
            }
            else
            {
                var comma = text.IndexOf(',', equals + 1);
                comma = comma < 0 ? text.Length : comma;
                value = text[(equals + 1)..comma].Trim();
                i = comma;
            }

            values[key] = value;
            i++;
        }

        return values;
    }

    private Uri? NextPage(HttpResponseMessage response, Uri current)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links)
        {
            var open = link.IndexOf('<', StringComparison.Ordinal);
            var close = link.IndexOf('>', StringComparison.Ordinal);
            if (open >= 0 && close > open && link.Contains("rel=\"next\"", StringComparison.Ordinal)
                && Uri.TryCreate(current, link[(open + 1)..close], out var next) && next.Host == _feed.Host && next.Port == _feed.Port)
            {
                return next;
            }
        }

        return null;
    }

    private async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, long maxBytes, string reference, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new ContentException(ContentError.TooLarge, $"upstream {Describe} manifest {reference} is larger than {maxBytes} bytes, the most a manifest may be here");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private async Task<ContentException> RefusedAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var said = "";
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            said = text.Length > 300 ? text[..300] + "..." : text;
        }
        catch (HttpRequestException)
        {
            // What the registry said is only a courtesy.
        }

        var hint = response.StatusCode switch
        {
            HttpStatusCode.NotFound => "; it is not there (check importer_config.upstream_name, and that the upstream holds what its manifests name)",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "; check importer_config.username and password (or token)",
            _ => "",
        };
        var refused = Failed(what, $"the registry answered {(int)response.StatusCode} {response.ReasonPhrase}{hint}{(said.Length > 0 ? $": {said.Trim()}" : "")}");
        refused.Details["status"] = (int)response.StatusCode;
        return refused;
    }

    private ContentException Failed(string what, string why) =>
        new(ContentError.FeedFailed, $"could not {what} from upstream {Describe}: {why}", new System.Text.Json.Nodes.JsonObject { ["feed"] = _feed.AbsoluteUri, ["upstream_name"] = _name.Value });

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (!_config.VerifyTls || errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (_config.TrustedRoots is not { } roots || certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
