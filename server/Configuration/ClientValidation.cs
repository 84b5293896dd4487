using System.Net;
using Microsoft.Extensions.Options;

namespace Berth.Server.Configuration;

/// <summary>Each trusted proxy is an address or a network: a server with one it cannot read stops at start, naming it.</summary>
public sealed class ClientValidation : IValidateOptions<BerthOptions>
{
    public ValidateOptionsResult Validate(string? name, BerthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var unreadable = options.Clients.TrustedProxies.Where(p => !IPAddress.TryParse(p, out _) && !IPNetwork.TryParse(p, out _)).ToList();
        return unreadable.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Berth:Clients:TrustedProxies: {string.Join(", ", unreadable.Select(p => $"'{p}'"))} is neither an address nor a network: " +
                "give addresses (\"10.0.0.5\") or networks (\"10.0.0.0/8\")");
    }
}
