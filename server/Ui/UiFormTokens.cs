using System.Security.Cryptography;
using System.Text;
using Berth.Server.Access;

namespace Berth.Server.Ui;

/// <summary>
/// The token every UI form carries, against forged posts: a keyed hash of the browser's session (or, before sign-in,
/// of its visitor cookie), which a page of another site can neither read nor make. The key comes from the token
/// signing key, so replicas sharing that key accept each other's forms, as they accept each other's sessions.
/// </summary>
public sealed class UiFormTokens(TokenSigner signer)
{
    /// <summary>The form field that carries it.</summary>
    public const string FieldName = "__form";

    private readonly byte[] _key = signer.DeriveKey("berth ui form");

    /// <summary>The token of this request's browser, for the forms its page holds.</summary>
    public string For(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Of(Binding(context));
    }

    /// <summary>Whether a posted token is this browser's.</summary>
    public bool Matches(HttpContext context, string? posted)
    {
        ArgumentNullException.ThrowIfNull(context);
        return posted is { Length: > 0 and < 128 } &&
               CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(posted), Encoding.ASCII.GetBytes(Of(Binding(context))));
    }

    private static string Binding(HttpContext context) =>
        UiSession.Current(context) is { } session ? "session\n" + session : "visitor\n" + UiSession.Visitor(context);

    private string Of(string binding) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(binding))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
