namespace Berth.Server.Hosting;

/// <summary>What the server's command line asks for.</summary>
public enum ServerCommand
{
    /// <summary>Serve (no command word).</summary>
    Serve,

    /// <summary><c>verify</c>: check the stored content, with the server stopped, and exit.</summary>
    Verify,

    /// <summary><c>migrate</c>: copy the embedded metadata into PostgreSQL, with the server stopped, and exit.</summary>
    Migrate,

    /// <summary><c>--help</c>: print the usage and exit.</summary>
    Help,

    /// <summary><c>--version</c>: print the version and exit.</summary>
    Version,
}
