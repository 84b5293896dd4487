using System.Text.RegularExpressions;
using Berth.Server.Plugins;
using Berth.Server.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Berth.Server.Hosting;

/// <summary>
/// Why the server cannot start, as the one line it prints before it exits with code 2: for the failures an operator
/// can mend, what happened and what to do. Anything else is a fault of the server's own and ends the process with
/// its stack trace.
/// </summary>
public static partial class StartFailure
{
    public static string? Describe(Exception exception) => exception switch
    {
        AggregateException { InnerExceptions.Count: 1 } one => Describe(one.InnerExceptions[0]),
        OptionsValidationException e => string.Join("; ", e.Failures),
        PluginLoadException e => e.Message,
        IOException { InnerException: AddressInUseException } e =>
            $"{AddressOf(e) ?? "the address"} is already in use (by another server, or another program): stop it, or choose another address with --urls http://127.0.0.1:PORT",
        MetadataSchemaException e => $"metadata database: {e.Message}",
        Content.ContentStoreUnavailableException e => $"content store: {e.Message}",
        Access.TokenSigningKeyException e =>
            $"token signing key: {e.Message}: make one with 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out FILE' and give every server the same Berth:Auth:TokenSigningKeyFile",
        Npgsql.NpgsqlException e => $"metadata database: {e.Message}: check that PostgreSQL is running and that Berth:Metadata:ConnectionString names it, with a user that may sign in",
        DataFolderInUseException e => $"data folder: {e.Message}: stop that server first, or give this one another --data-dir",
        // The data folder cannot be used: not writable, full, or its database damaged.
        IOException or UnauthorizedAccessException or LiteDB.LiteException => $"data folder: {exception.Message}",
        _ => null,
    };

    // Kestrel names the address only in its message ("Failed to bind to address http://127.0.0.1:5000: address
    // already in use."); without it, the line still says what happened.
    private static string? AddressOf(IOException exception) =>
        BindFailure().Match(exception.Message) is { Success: true } match ? match.Groups["address"].Value : null;

    [GeneratedRegex(@"address (?<address>\S+): address already in use", RegexOptions.IgnoreCase)]
    private static partial Regex BindFailure();
}
