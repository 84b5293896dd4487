namespace Berth.Cli;

/// <summary>A failure to report in one line, with the exit code that says what kind it is.</summary>
public sealed class CliException : Exception
{
    public CliException(int exitCode, string message)
        : base(message) => ExitCode = exitCode;

    public CliException()
        : this(Cli.ExitCode.Usage, "the command failed")
    {
    }

    public CliException(string message)
        : this(Cli.ExitCode.Usage, message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException) => ExitCode = Cli.ExitCode.Usage;

    public int ExitCode { get; }

    /// <summary>A mistake of the user's, on the command line or in a local file.</summary>
    public static CliException Usage(string message) => new(Cli.ExitCode.Usage, message);
}
