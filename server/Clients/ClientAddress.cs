using System.Net;
using System.Net.Sockets;

namespace Berth.Server.Clients;

/// <summary>
/// What a client is counted by, wherever clients are counted (connections, failed sign-ins): its IPv4 address (also
/// when it reaches an IPv6 socket), or the /64 prefix of its IPv6 address, which one host commonly holds whole, so
/// that rotating addresses within it gains nothing.
/// </summary>
public static class ClientAddress
{
    /// <summary>The address a client counts as; <see langword="null"/> for a transport without addresses (a Unix socket).</summary>
    public static IPAddress? Of(EndPoint? remote) => remote is IPEndPoint { Address: var address } ? Of(address) : null;

    public static IPAddress Of(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }

    /// <summary>The address as a key of a table; one key for every client without an address.</summary>
    public static string Key(IPAddress? address) => address is null ? "unknown" : Of(address).ToString();
}
