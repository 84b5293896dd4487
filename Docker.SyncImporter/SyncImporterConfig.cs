using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Berth.Plugins;
using Docker.Common.References;

namespace Docker.SyncImporter;

/// <summary>
/// The sync importer's configuration, read all at once so that a refusal names every bad key. A registration may leave
/// out the feed (Pulp 2 allows an importer without one); a sync needs it.
/// </summary>
internal sealed record SyncImporterConfig
{
    public const string Feed = "feed";
    public const string UpstreamName = "upstream_name";
    public const string Tags = "tags";
    public const string Username = "username";
    public const string Password = "password";
    public const string Token = "token";
    public const string TlsVerify = "tls_verify";
    public const string CaCert = "ca_cert";
    public const string MaxConcurrentDownloads = "max_concurrent_downloads";
    public const string Mirror = "mirror";
    public const string ReferrersKey = "referrers";
    public const string OnDemandKey = "on_demand";
    public const string TagRefreshKey = "tag_refresh_seconds";
    public const string AllowPushKey = "allow_push";
    public const string PlatformsKey = "platforms";

    /// <summary>pulp_docker's names for keys Berth names otherwise, so that Pulp 2's clients configure it unchanged.</summary>
    private static readonly (string Pulp2, string Key)[] Pulp2Names =
        [("ssl_validation", TlsVerify), ("max_downloads", MaxConcurrentDownloads), ("basic_auth_username", Username), ("basic_auth_password", Password)];

    /// <summary>pulp_docker's switches, taken when they ask for what Berth does anyway.</summary>
    private static readonly (string Key, bool Taken, string Refusal)[] Pulp2Switches =
    [
        ("enable_v1", false, "Docker Registry API v1 is not supported: leave enable_v1 out or false"),
        ("enable_v2", true, "syncs go through the Registry API v2: leave enable_v2 out or true"),
        ("validate", true, "every download is checked against its digest as it streams: leave validate out or true"),
    ];

    private const string Object = "importer_config";
    private const int MostConcurrentDownloads = 32;

    private static readonly string[] Known =
        [Feed, UpstreamName, Tags, PlatformsKey, Username, Password, Token, TlsVerify, CaCert, MaxConcurrentDownloads, Mirror, ReferrersKey, OnDemandKey, TagRefreshKey, AllowPushKey];

    /// <summary>How long a tag fetched on demand is served before upstream is asked again, unless configured.</summary>
    private static readonly TimeSpan DefaultTagRefresh = TimeSpan.FromMinutes(5);

    private const long MostTagRefreshSeconds = 366L * 24 * 3600;

    /// <summary>The keys whose values no API response shows.</summary>
    public static IReadOnlyList<string> SecretKeys { get; } = [Password, Token, "basic_auth_password"];

    public Uri? FeedUrl { get; init; }

    public RegistryName? Upstream { get; init; }

    public TagFilter TagFilter { get; init; } = TagFilter.All;

    /// <summary>Which platforms of a list come; all when <see langword="null"/>.</summary>
    public PlatformFilter? Platforms { get; init; }

    public string? User { get; init; }

    public string? Secret { get; init; }

    public string? BearerToken { get; init; }

    public bool VerifyTls { get; init; } = true;

    public X509Certificate2Collection? TrustedRoots { get; init; }

    public int Downloads { get; init; } = 4;

    /// <summary>Whether tags the feed dropped (among those the filter selects) go here too, with what only they named.</summary>
    public bool Mirrors { get; init; }

    /// <summary>Whether manifests that refer to synced ones (signatures, SBOMs, attestations) come too.</summary>
    public bool Referrers { get; init; }

    /// <summary>Whether the repository is a pull-through cache: a pull of what it lacks is fetched from the feed.</summary>
    public bool OnDemand { get; init; }

    /// <summary>How long a tag fetched on demand is served before the feed is asked again where it points.</summary>
    public TimeSpan TagRefresh { get; init; } = DefaultTagRefresh;

    /// <summary>Whether a pull-through cache takes pushes too.</summary>
    public bool AllowPush { get; init; }

    /// <summary>Reads a configuration.</summary>
    /// <exception cref="ContentException">With <see cref="ContentError.InvalidConfiguration"/>, naming every bad key.</exception>
    public static SyncImporterConfig Read(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = new List<(string Key, string Problem)>();
        T? Take<T>(string key, Func<T?> read)
        {
            try
            {
                return read();
            }
            catch (ContentException e)
            {
                problems.Add((key, e.Message));
                return default;
            }
        }

        config = Pulp2Form(config, problems);
        foreach (var (key, _) in config)
        {
            if (!Known.Contains(key))
            {
                problems.Add((key, $"{Object}.{key} is unknown; the keys are {string.Join(", ", Known)} (and pulp_docker's {string.Join(", ", Pulp2Names.Select(n => n.Pulp2).Concat(Pulp2Switches.Select(s => s.Key)))})"));
            }
        }

        var feed = Take(Feed, () => ReadFeed(config));
        var upstream = Take(UpstreamName, () => ReadUpstream(config));
        var tags = Take(Tags, () => TagFilter.Read(config, Tags, Object));
        var platforms = Take(PlatformsKey, () => PlatformFilter.Read(config, PlatformsKey, Object));
        var user = Take(Username, () => RequestFields.OptionalString(config, Username, Object, ContentError.InvalidConfiguration));
        var password = Take(Password, () => RequestFields.OptionalString(config, Password, Object, ContentError.InvalidConfiguration));
        var token = Take(Token, () => RequestFields.OptionalString(config, Token, Object, ContentError.InvalidConfiguration));
        var verify = Take(TlsVerify, () => RequestFields.OptionalBoolean(config, TlsVerify, Object, ContentError.InvalidConfiguration));
        var mirror = Take(Mirror, () => RequestFields.OptionalBoolean(config, Mirror, Object, ContentError.InvalidConfiguration));
        var referrers = Take(ReferrersKey, () => RequestFields.OptionalBoolean(config, ReferrersKey, Object, ContentError.InvalidConfiguration));
        var roots = Take(CaCert, () => ReadCaCert(config));
        var onDemand = Take(OnDemandKey, () => RequestFields.OptionalBoolean(config, OnDemandKey, Object, ContentError.InvalidConfiguration));
        var allowPush = Take(AllowPushKey, () => RequestFields.OptionalBoolean(config, AllowPushKey, Object, ContentError.InvalidConfiguration));
        var refresh = Take(TagRefreshKey, () => ReadTagRefresh(config));
        var downloads = Take(MaxConcurrentDownloads, () => RequestFields.OptionalPositiveInteger(config, MaxConcurrentDownloads, Object, ContentError.InvalidConfiguration));
        if (downloads > MostConcurrentDownloads)
        {
            problems.Add((MaxConcurrentDownloads, $"{Object}.{MaxConcurrentDownloads} may be {MostConcurrentDownloads} at most"));
        }

        if ((user is null) != (password is null) && !problems.Any(p => p.Key is Username or Password))
        {
            problems.Add((user is null ? Username : Password, $"{Object}.{Username} and {Object}.{Password} go together: set both, or neither"));
        }

        if (onDemand == true && (feed is null || upstream is null) && !problems.Any(p => p.Key is Feed or UpstreamName))
        {
            problems.Add((feed is null ? Feed : UpstreamName, $"{Object}.{OnDemandKey} serves pulls from a feed: set {Object}.{Feed} and {Object}.{UpstreamName} with it"));
        }

        if (token is not null && user is not null)
        {
            problems.Add((Token, $"{Object}.{Token} and {Object}.{Username} are two ways to sign in upstream: set one of them"));
        }

        if (problems.Count > 0)
        {
            var keys = problems.Select(p => p.Key).Distinct().ToList();
            throw new ContentException(
                ContentError.InvalidConfiguration,
                string.Join("; ", problems.Select(p => p.Problem)),
                new JsonObject { ["keys"] = new JsonArray([.. keys.Select(k => JsonValue.Create(k))]) });
        }

        return new SyncImporterConfig
        {
            FeedUrl = feed,
            Upstream = upstream,
            TagFilter = tags ?? TagFilter.All,
            Platforms = platforms,
            User = user,
            Secret = password,
            BearerToken = token,
            VerifyTls = verify ?? true,
            TrustedRoots = roots,
            Downloads = (int)(downloads ?? 4),
            Mirrors = mirror ?? false,
            Referrers = referrers ?? false,
            OnDemand = onDemand ?? false,
            TagRefresh = refresh ?? DefaultTagRefresh,
            AllowPush = allowPush ?? false,
        };
    }

    /// <summary>
    /// The configuration in Berth's names: pulp_docker's names taken for Berth's (both given is refused), and its switches
    /// dropped when they ask for what Berth does (refused otherwise).
    /// </summary>
    private static JsonObject Pulp2Form(JsonObject config, List<(string Key, string Problem)> problems)
    {
        if (!config.Any(f => Pulp2Names.Any(n => n.Pulp2 == f.Key) || Pulp2Switches.Any(s => s.Key == f.Key)))
        {
            return config;
        }

        var renamed = (JsonObject)config.DeepClone();
        foreach (var (pulp2, key) in Pulp2Names)
        {
            if (renamed.Remove(pulp2, out var value))
            {
                if (renamed.ContainsKey(key))
                {
                    problems.Add((pulp2, $"{Object}.{pulp2} is pulp_docker's name for {Object}.{key}: give one of them"));
                    continue;
                }

                renamed[key] = value;
            }
        }

        foreach (var (key, taken, refusal) in Pulp2Switches)
        {
            if (renamed.Remove(key, out var value) && value is not null)
            {
                if (value.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False))
                {
                    problems.Add((key, $"{Object}.{key} must be true or false"));
                }
                else if (value.GetValue<bool>() != taken)
                {
                    problems.Add((key, $"{Object}.{key}: {refusal}"));
                }
            }
        }

        return renamed;
    }

    /// <summary>What a sync needs beyond a valid configuration: somewhere to sync from.</summary>
    /// <exception cref="ContentException">Naming what is missing and how to set it.</exception>
    public (Uri Feed, RegistryName Upstream) RequireSource(string repositoryId)
    {
        var missing = new[] { (Key: Feed, Value: (object?)FeedUrl), (Key: UpstreamName, Value: Upstream) }.Where(k => k.Value is null).Select(k => k.Key).ToList();
        if (missing.Count > 0)
        {
            throw new ContentException(
                ContentError.InvalidConfiguration,
                $"repository '{repositoryId}' has no {string.Join(" or ", missing)} to sync from: set {string.Join(" and ", missing.Select(m => $"{Object}.{m}"))} " +
                $"(PUT /pulp/api/v2/repositories/{repositoryId}/importers/{SyncImporter.TypeId}/), or pass them in override_config",
                new JsonObject { ["keys"] = new JsonArray([.. missing.Select(k => JsonValue.Create(k))]) });
        }

        return (FeedUrl!, Upstream!.Value);
    }

    private static TimeSpan? ReadTagRefresh(JsonObject config)
    {
        if (!config.TryGetPropertyValue(TagRefreshKey, out var node) || node is null)
        {
            return null;
        }

        return node.GetValueKind() == System.Text.Json.JsonValueKind.Number && node.AsValue().TryGetValue<long>(out var seconds) && seconds is >= 0 and <= MostTagRefreshSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new ContentException(
                ContentError.InvalidConfiguration,
                $"{Object}.{TagRefreshKey} must be a whole number of seconds from 0 (ask upstream at every pull) to {MostTagRefreshSeconds}, such as 300");
    }

    private static Uri? ReadFeed(JsonObject config)
    {
        var text = RequestFields.OptionalString(config, Feed, Object, ContentError.InvalidConfiguration);
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
        {
            throw new ContentException(ContentError.InvalidConfiguration, $"{Object}.{Feed} must be an http or https URL of a registry, such as https://registry.example.com");
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            throw new ContentException(ContentError.InvalidConfiguration, $"{Object}.{Feed} must not hold credentials: set {Object}.{Username} and {Object}.{Password}");
        }

        return url;
    }

    private static RegistryName? ReadUpstream(JsonObject config)
    {
        var text = RequestFields.OptionalString(config, UpstreamName, Object, ContentError.InvalidConfiguration);
        if (text is null)
        {
            return null;
        }

        return RegistryName.TryParse(text, out var name, out var problem)
            ? name
            : throw new ContentException(ContentError.InvalidConfiguration, $"{Object}.{UpstreamName}: {problem}");
    }

    private static X509Certificate2Collection? ReadCaCert(JsonObject config)
    {
        var pem = RequestFields.OptionalString(config, CaCert, Object, ContentError.InvalidConfiguration);
        if (pem is null)
        {
            return null;
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ContentException(ContentError.InvalidConfiguration, $"{Object}.{CaCert} is not PEM certificates: {e.Message}");
        }

        return roots.Count > 0
            ? roots
            : throw new ContentException(ContentError.InvalidConfiguration, $"{Object}.{CaCert} holds no certificate: give the upstream's CA in PEM (-----BEGIN CERTIFICATE-----)");
    }
}
