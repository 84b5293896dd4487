using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Server.Access;

/// <summary>
/// Issues and checks the registry's bearer tokens: JWTs signed with an ES256 key that is created on first start
/// and kept in the data folder (mode 0600). A token names its user and the registry access it grants; it is
/// valid for a few minutes.
/// </summary>
public sealed class TokenSigner : IDisposable
{
    private const string Issuer = "berth";
    private readonly ECDsa _key;
    private readonly string _keyId;

    public TokenSigner(string keyPath)
    {
        ArgumentNullException.ThrowIfNull(keyPath);
        _key = ECDsa.Create();
        if (File.Exists(keyPath))
        {
            _key.ImportFromPem(File.ReadAllText(keyPath));
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
    }

    public string Issue(string? login, string service, IReadOnlyDictionary<string, AccessAction> access, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(access);
        var header = new JsonObject { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = _keyId };
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = login ?? string.Empty,
            ["aud"] = service,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds() - 5,
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = new JsonArray([.. access.Select(a => (JsonNode)new JsonObject
            {
                ["type"] = a.Key == RegistryScope.Catalog.Name ? RegistryScope.Registry : RegistryScope.Repository,
                ["name"] = a.Key,
                ["actions"] = new JsonArray([.. AccessActions.Names(a.Value).Select(n => JsonValue.Create(n))]),
            })]),
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>Checks a token's signature, issuer, audience and times; returns its user and access, or null when it is not valid.</summary>
    public (string? Login, Dictionary<string, AccessAction> Access)? Validate(string token, string service, DateTimeOffset now)
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

            var access = new Dictionary<string, AccessAction>(StringComparer.Ordinal);
            foreach (var entry in (claims["access"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (entry["name"]?.GetValue<string>() is { } name && entry["actions"] is JsonArray actions)
                {
                    access[name] = AccessActions.TryParseAll(actions.Select(a => a?.GetValue<string>() ?? string.Empty), out _, out var parsed) ? parsed : AccessAction.None;
                }
            }

            var login = claims["sub"]?.GetValue<string>();
            return (string.IsNullOrEmpty(login) ? null : login, access);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or CryptographicException)
        {
            return null;
        }
    }

    public void Dispose() => _key.Dispose();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
    }
}
