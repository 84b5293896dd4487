namespace Berth.Server.Configuration;

/// <summary>Sign-in and the registry's token protocol (section <c>Berth:Auth</c>).</summary>
public sealed class AuthOptions
{
    /// <summary>The <c>service</c> of registry tokens: the audience they are issued for.</summary>
    public string Service { get; set; } = "berth";

    /// <summary>
    /// The token endpoint's absolute URL, as challenges name it; by default the address the server listens on,
    /// with path <c>/token</c> (never the request's <c>Host</c>). Set it when a proxy or load balancer puts the
    /// server under another address, or when it listens on every address.
    /// </summary>
    public string? Realm { get; set; }

    /// <summary>
    /// A PEM file with the EC P-256 private key that signs registry tokens and upload session ids, read at start; unset,
    /// each data folder makes its own (<c>DATA/token-signing-key.pem</c>). Servers sharing one metadata store need the
    /// same key: a token one issued must hold on the others.
    /// </summary>
    public string? TokenSigningKeyFile { get; set; }

    /// <summary>How long a registry token is valid.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Failed sign-ins one login may make from one address within a minute before that login is refused from there
    /// until the oldest of them is a minute old; other logins from the address are not affected.
    /// </summary>
    public int MaxFailedSignInsPerMinute { get; set; } = 10;

    /// <summary>Failed sign-ins one address may make within a minute across logins (credential stuffing) before it is refused.</summary>
    public int MaxFailedSignInsPerAddressPerMinute { get; set; } = 100;
}
