namespace Berth.Server.Hosting;

/// <summary>A server command line that cannot be followed; the message names the argument and, where it can, the right one.</summary>
public sealed class CommandLineException(string message) : Exception(message);
