namespace Berth.Tests.Support;

/// <summary>How a server process that ended on its own ended: its exit code, standard output and standard error.</summary>
public sealed record ServerExit(int Code, string Output, string Errors);
