namespace Berth.Server.Configuration;

/// <summary>The server's settings, from the <c>Berth</c> configuration section (appsettings, environment, command line).</summary>
public sealed class BerthOptions
{
    public const string Section = "Berth";

    /// <summary>Where everything is stored; relative paths are taken from the current directory.</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>Where the plugin files are; by default <c>plugins.conf.d</c> next to the server's assembly.</summary>
    public string? PluginsConfDir { get; set; }

    /// <summary>The largest JSON request body accepted, in bytes.</summary>
    public long MaxJsonBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The largest upload accepted, in bytes; unset means no limit beyond the disk.</summary>
    public long? MaxUploadBytes { get; set; }

    /// <summary>Whether a registry push to an unknown name creates the repository (with both docker importers).</summary>
    public bool CreateRepositoriesOnPush { get; set; } = true;

    /// <summary>
    /// The most names one page of a registry tags list or catalog holds, at least 1. A client asking for more
    /// (<c>n</c>) gets this many and a <c>Link</c> to the next page, as the distribution spec allows; a client that
    /// asks for no <c>n</c> gets the whole list. 1000, as many as the CNCF distribution registry serves in one catalog
    /// page by default.
    /// </summary>
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>
    /// Whether uploads are written around the page cache (O_DIRECT, where the file system allows it): steadier
    /// upload speed and no page cache spent on large blobs, but a blob pulled right after its push is then read
    /// from disk rather than from memory. Off by default, as with other registries.
    /// </summary>
    public bool DirectUploads { get; set; }

    /// <summary>An upload untouched for this long is abandoned and purged, with its bytes.</summary>
    public TimeSpan UploadExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often abandoned uploads are looked for.</summary>
    public TimeSpan UploadPurgeInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a stopping server (Ctrl-C, SIGTERM) waits for requests in flight before it cuts them off; an upload
    /// cut off keeps what it acknowledged. Below the 10 seconds <c>docker stop</c> allows before it kills.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The password of the <c>admin</c> user created on the first start (also read from the environment variable
    /// <c>BERTH_ADMIN_PASSWORD</c>); when neither is set, a random one is printed once and written to
    /// <c>DATA/admin-password</c>.
    /// </summary>
    public string? AdminPassword { get; set; }

    /// <summary>
    /// The former name of <see cref="ImportLimitOptions.MaxDocumentBytes"/>, from when it bound the registry's
    /// manifests only: still read when that is not set itself.
    /// </summary>
    public long? MaxManifestBytes { get; set; }

    public AuthOptions Auth { get; set; } = new();

    public ClientLimitOptions Clients { get; set; } = new();

    public UploadLimitOptions Uploads { get; set; } = new();

    public LifecycleOptions Lifecycle { get; set; } = new();

    public TaskOptions Tasks { get; set; } = new();

    /// <summary>Upstreams proxied by name: a pull of <c>PREFIX/NAME</c> creates a pull-through cache of <c>NAME</c> at the feed.</summary>
    public List<PullThroughPrefixOptions> PullThrough { get; set; } = [];

    public ImportLimitOptions Imports { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>Where metadata is kept; the embedded store in the data folder by default.</summary>
    public MetadataOptions Metadata { get; set; } = new();

    /// <summary>Where content (blobs and manifests) is kept; the data folder by default.</summary>
    public ContentOptions Content { get; set; } = new();

    /// <summary>Where events go; nowhere by default.</summary>
    public NotificationOptions Notifications { get; set; } = new();

    /// <summary>For Berth's own tests only; off by default.</summary>
    public TestingOptions Testing { get; set; } = new();

    public string ResolvedPluginsConfDir =>
        PluginsConfDir is { Length: > 0 } dir ? Path.GetFullPath(dir, AppContext.BaseDirectory) : Path.Combine(AppContext.BaseDirectory, "plugins.conf.d");
}
