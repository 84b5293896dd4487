namespace Berth.Server.Plugins;

/// <summary>A plugin file that cannot be used; start-up stops with this message, which names the file and the reason.</summary>
public sealed class PluginLoadException : Exception
{
    public PluginLoadException(string file, string reason, Exception? innerException = null)
        : base($"plugin file {file}: {reason}", innerException)
    {
        File = file;
        Reason = reason;
    }

    public PluginLoadException()
        : this("(none)", "unknown problem")
    {
    }

    public PluginLoadException(string message)
        : this("(none)", message)
    {
    }

    public PluginLoadException(string message, Exception innerException)
        : this("(none)", message, innerException)
    {
    }

    public string File { get; }

    public string Reason { get; }
}
