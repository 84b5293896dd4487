namespace Berth.Cli;

/// <summary>What <c>berth</c> exits with; documented in the README and in <c>berth --help</c>.</summary>
public static class ExitCode
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The command line, a local file or the local configuration is wrong.</summary>
    public const int Usage = 1;

    /// <summary>The server answered and refused (a 4xx or 5xx, with its reason).</summary>
    public const int Refused = 2;

    /// <summary>The server could not be reached, or the connection broke.</summary>
    public const int Network = 3;
}
