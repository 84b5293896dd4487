using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Server.Access;

/// <summary>
/// Issues and checks the registry's bearer tokens: JWTs signed with an ES256 key that is created on first start
/// and kept in the data folder (mode 0600). A token names its user and the registry access it grants; it is
/// valid for a few minutes, and names the credential it was issued from so that revoking that ends it too.
/// </summary>
public sealed class TokenSigner : IDisposable
{
    private const string Issuer = "berth";
    private const string CredentialClaim = "berth_credential";
    private readonly ECDsa _key;
    private readonly string _keyId;
    private readonly byte[] _stampKey;

    /// <summary>The data folder's key at <paramref name="keyPath"/>, made there on the first start.</summary>
    public TokenSigner(string keyPath)
        : this(keyPath, create: true)
    {
    }

    private TokenSigner(string keyPath, bool create)
    {
        ArgumentNullException.ThrowIfNull(keyPath);
        _key = ECDsa.Create();
        if (File.Exists(keyPath))
        {
            try
            {
                _key.ImportFromPem(File.ReadAllText(keyPath));

                // Tokens say ES256: a P-256 key with its private part, or nothing signs.
                _ = _key.ExportECPrivateKey();
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                throw new TokenSigningKeyException($"{keyPath} holds no EC P-256 private key in PEM ({e.Message})");
            }

            if (_key.KeySize != 256)
            {
                throw new TokenSigningKeyException($"{keyPath} holds a {_key.KeySize}-bit key; tokens are ES256, which needs a P-256 key");
            }
        }
        else if (!create)
        {
            throw new TokenSigningKeyException($"{keyPath} does not exist");
        }
        else
        {
            _key.GenerateKey(ECCurve.NamedCurves.nistP256);
            var temporary = keyPath + ".new";
            File.WriteAllText(temporary, string.Empty);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.WriteAllText(temporary, _key.ExportPkcs8PrivateKeyPem());
            File.Move(temporary, keyPath, overwrite: true);
        }

        _keyId = Base64Url(SHA256.HashData(_key.ExportSubjectPublicKeyInfo()))[..32];

        // Derived from the signing key, so stamps survive a restart exactly as long as the tokens they are in.
        _stampKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, _key.ExportECPrivateKey(), 32, info: "berth credential stamp"u8.ToArray());
    }

    /// <summary>
    /// A key every server sharing a metadata store reads (<c>Berth:Auth:TokenSigningKeyFile</c>), so that a token or an
    /// upload session one issued holds on the others; never made here: a file each server made would differ.
    /// </summary>
    public static TokenSigner Shared(string keyPath) => new(keyPath, create: false);

    public string Issue(string? login, string service, RegistryTokenAccess access, string? credentialId, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(access);
        var header = new JsonObject { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = _keyId };
        var entries = access.Repositories.Select(a => (JsonNode)Entry(RegistryScope.Repository, a.Key, AccessActions.Names(a.Value)));
        if (access.Catalog)
        {
            entries = entries.Append(Entry(RegistryScope.Registry, RegistryScope.Catalog.Name, ["*"]));
        }

        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = login ?? string.Empty,
            ["aud"] = service,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds() - 5,
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = new JsonArray([.. entries]),
        };
        if (credentialId is not null)
        {
            claims[CredentialClaim] = credentialId;
        }

        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>A key for another purpose, derived from the signing key: it lives exactly as long as the tokens do.</summary>
    public byte[] DeriveKey(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key.ExportECPrivateKey(), 32, info: Encoding.UTF8.GetBytes(purpose));

    /// <summary>
    /// A short keyed digest of a secret's stored hash: it names the credential a registry token was issued from
    /// without revealing anything of it, and changes when the password does.
    /// </summary>
    public string Stamp(string storedHash)
    {
        ArgumentNullException.ThrowIfNull(storedHash);
        return Base64Url(HMACSHA256.HashData(_stampKey, Encoding.UTF8.GetBytes(storedHash)))[..22];
    }

    /// <summary>Checks a token's signature, issuer, audience and times; returns what it claims, or null when it is not valid.</summary>
    public RegistryTokenClaims? Validate(string token, string service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(token);
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var signature = FromBase64Url(parts[2]);
            if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return null;
            }

            if (JsonNode.Parse(FromBase64Url(parts[0])) is not JsonObject header || JsonNode.Parse(FromBase64Url(parts[1])) is not JsonObject claims)
            {
                return null;
            }

            var seconds = now.ToUnixTimeSeconds();
            if (header["alg"]?.GetValue<string>() != "ES256" || claims["iss"]?.GetValue<string>() != Issuer ||
                claims["aud"]?.GetValue<string>() != service ||
                claims["exp"]?.GetValue<long>() is not { } exp || exp < seconds ||
                claims["nbf"]?.GetValue<long>() is not { } nbf || nbf > seconds)
            {
                return null;
            }

            var repositories = new Dictionary<string, AccessAction>(StringComparer.Ordinal);
            var catalog = false;
            foreach (var entry in (claims["access"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (entry["name"]?.GetValue<string>() is not { } name || entry["actions"] is not JsonArray actions)
                {
                    continue;
                }

                // The scope's type decides what the name means: the catalog is not a repository called "catalog".
                switch (entry["type"]?.GetValue<string>())
                {
                    case RegistryScope.Repository:
                        repositories[name] = AccessActions.TryParseAll(actions.Select(a => a?.GetValue<string>() ?? string.Empty), out _, out var parsed) ? parsed : AccessAction.None;
                        break;
                    case RegistryScope.Registry when name == RegistryScope.Catalog.Name:
                        catalog = true;
                        break;
                }
            }

            var login = claims["sub"]?.GetValue<string>();
            return new RegistryTokenClaims(
                string.IsNullOrEmpty(login) ? null : login, new RegistryTokenAccess(repositories, catalog), claims[CredentialClaim]?.GetValue<string>(),
                claims["jti"]?.GetValue<string>() ?? string.Empty, DateTimeOffset.FromUnixTimeSeconds(exp));
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or CryptographicException)
        {
            return null;
        }
    }

    private static JsonObject Entry(string type, string name, IEnumerable<string> actions) => new()
    {
        ["type"] = type,
        ["name"] = name,
        ["actions"] = new JsonArray([.. actions.Select(n => JsonValue.Create(n))]),
    };

    public void Dispose() => _key.Dispose();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
    }
}
