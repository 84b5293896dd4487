using System.CommandLine;

namespace Berth.Cli.Connection;

/// <summary>The options every command takes: where the server is, who is calling, how much to say.</summary>
public static class GlobalOptions
{
    public const string DefaultServer = "http://localhost:24817";

    public static readonly Option<string?> Server = new("--server")
    {
        Description = $"The server's address (else BERTH_SERVER, else the one berth login saved, else {DefaultServer})",
        Recursive = true,
    };

    public static readonly Option<string?> Username = new("--username", "-u")
    {
        Description = "Who to sign in as (else BERTH_USERNAME, else the one berth login saved)",
        Recursive = true,
    };

    public static readonly Option<bool> PasswordStdin = new("--password-stdin")
    {
        Description = "Read the password (or an API token) from standard input (else BERTH_PASSWORD, else the one berth login saved)",
        Recursive = true,
    };

    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "Print nothing but errors and what was asked for",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Options.Add(Server);
        root.Options.Add(Username);
        root.Options.Add(PasswordStdin);
        root.Options.Add(Quiet);
    }

    /// <summary>The server and credentials this invocation uses, from flags, then the environment, then the login file.</summary>
    public static Credentials Resolve(ParseResult parse, TextReader input)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(input);
        var saved = LoginFile.Read();
        var server = parse.GetValue(Server) ?? Environment("BERTH_SERVER") ?? saved?.Server ?? DefaultServer;
        var username = parse.GetValue(Username) ?? Environment("BERTH_USERNAME") ?? saved?.Username;
        var password = parse.GetValue(PasswordStdin)
            ? input.ReadLine()?.TrimEnd('\r') ?? throw CliException.Usage("--password-stdin: standard input was empty")
            : Environment("BERTH_PASSWORD") ?? saved?.Password;
        if (!Uri.TryCreate(server, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            throw CliException.Usage($"'{server}' is not a server address: give one like {DefaultServer}");
        }

        return new Credentials(address, username, password);
    }

    private static string? Environment(string name) => System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
