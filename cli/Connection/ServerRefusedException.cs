using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Cli.Connection;

/// <summary>The server answered with an error; the message is the server's own, with what to do about it.</summary>
public sealed class ServerRefusedException : Exception
{
    public ServerRefusedException(HttpStatusCode status, string? code, string message)
        : base(message)
    {
        Status = status;
        Code = code;
    }

    public ServerRefusedException()
    {
    }

    public ServerRefusedException(string message)
        : base(message)
    {
    }

    public ServerRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HttpStatusCode Status { get; }

    /// <summary>The error code of the content API's error body (<c>PLP0009</c>, <c>BRT0106</c>…), when there was one.</summary>
    public string? Code { get; }

    internal static ServerRefusedException From(HttpRequestMessage request, HttpStatusCode status, string body, Credentials credentials)
    {
        string? code = null;
        var reason = body.Length > 0 ? body : status.ToString();
        try
        {
            var error = JsonNode.Parse(body) as JsonObject;
            if (error?["error_message"]?.GetValue<string>() is { } message)
            {
                // The content API's error.
                reason = message;
                code = error["error"]?["code"]?.GetValue<string>();
            }
            else if (error?["errors"]?[0] is JsonObject first && first["message"]?.GetValue<string>() is { } registryMessage)
            {
                // The registry API's envelope.
                reason = registryMessage;
                code = first["code"]?.GetValue<string>();
            }
        }
        catch (JsonException)
        {
        }

        var hint = status switch
        {
            HttpStatusCode.Unauthorized => credentials.Username is null
                ? " (sign in: berth login, --username with --password-stdin, or BERTH_USERNAME and BERTH_PASSWORD)"
                : $" (check the password or token of {credentials.Username}, or run berth login again)",
            HttpStatusCode.Forbidden => $" ({credentials.Username ?? "anonymous"} lacks the grant: ask an administrator)",
            _ => string.Empty,
        };
        return new ServerRefusedException(status, code, $"{request.Method} {request.RequestUri}: {(int)status} {reason}{hint}");
    }
}
