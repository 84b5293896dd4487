using System.Globalization;
using Berth.Server.Storage.Migration;
using Berth.Server.Verification;

namespace Berth.Server.Hosting;

/// <summary>
/// The server's command line, checked before anything starts: <c>[verify | migrate] [--switch VALUE | --switch=VALUE]...</c>,
/// <c>--help</c> or <c>--version</c>. The switches are those <see cref="ServerUsage"/> lists and any setting of the
/// sections the server reads (<c>--Berth:MaxUploadBytes=N</c>, <c>--Logging:LogLevel:Default=Warning</c>,
/// <c>--Kestrel:...</c>). The configuration's own command-line reader takes any word and drops what nothing reads,
/// so that <c>--port 9999</c> would start on the default port: anything else is refused here, by name.
/// </summary>
/// <param name="Command">What was asked for.</param>
/// <param name="Settings">The arguments for the configuration (the command word left out).</param>
public sealed record ServerCommandLine(ServerCommand Command, IReadOnlyList<string> Settings)
{
    /// <summary>The server's own switches, and the settings they stand for.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["--data-dir"] = "Berth:DataDir",
        ["--plugins-conf-dir"] = "Berth:PluginsConfDir",
    };

    // Settings outside any section that the server or ASP.NET Core reads (case does not matter in configuration keys);
    // the host's own among them, which the in-process test host passes.
    private static readonly HashSet<string> TopLevelSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "AllowedHosts", "BERTH_ADMIN_PASSWORD", "environment", "applicationName", "contentRoot",
    };

    // The sections settings are read from: the server's, and ASP.NET Core's logging and Kestrel.
    private static readonly string[] Sections = ["Berth", "Logging", "Kestrel"];

    /// <exception cref="CommandLineException">An argument the server does not know, or a switch without its value.</exception>
    public static ServerCommandLine Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            return new(ServerCommand.Help, []);
        }

        if (args.Contains("--version"))
        {
            return new(ServerCommand.Version, []);
        }

        var command = args switch
        {
            [VerifyCommand.Name, ..] => ServerCommand.Verify,
            [MigrateCommand.Name, ..] => ServerCommand.Migrate,
            _ => ServerCommand.Serve,
        };
        var settings = command == ServerCommand.Serve ? [.. args] : args.Skip(1).ToArray();
        for (var i = 0; i < settings.Length; i++)
        {
            var argument = settings[i];
            var next = i + 1 < settings.Length && !settings[i + 1].StartsWith("--", StringComparison.Ordinal) ? settings[i + 1] : null;
            if (!argument.StartsWith("--", StringComparison.Ordinal))
            {
                throw Unexpected(argument, next);
            }

            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? argument[2..] : argument[2..equals];
            if (!IsKnown(key))
            {
                throw Unknown("--" + key, key, equals < 0 ? next : argument[(equals + 1)..]);
            }

            if (equals < 0)
            {
                // The value is the next argument, as the configuration reads it.
                i++;
                if (next is null)
                {
                    throw new CommandLineException($"{argument} needs a value: {argument} VALUE, or {argument}=VALUE");
                }
            }
        }

        return new(command, settings);
    }

    private static bool IsKnown(string key)
    {
        if (SwitchMappings.ContainsKey("--" + key) || TopLevelSettings.Contains(key))
        {
            return true;
        }

        // A section on its own (--Berth=) sets nothing; the test host passes each section so, with its settings.
        var path = key.Split(':');
        return Sections.Contains(path[0], StringComparer.OrdinalIgnoreCase) && path.All(p => p.Length > 0);
    }

    private static CommandLineException Unknown(string option, string key, string? value)
    {
        var known = Normalize(key) switch
        {
            "port" or "p" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                ? $"to listen on port {port}, use --urls http://0.0.0.0:{port}"
                : "to choose the port, use --urls http://0.0.0.0:PORT",
            "url" or "listen" or "bind" or "address" or "host" => "did you mean --urls?",
            "datadir" or "data" or "datadirectory" or "datafolder" => "did you mean --data-dir?",
            "pluginsconfdir" or "pluginconfdir" or "pluginsconf" or "plugins" or "pluginsdir" => "did you mean --plugins-conf-dir?",
            _ when key.Contains("__", StringComparison.Ordinal) && IsKnown(key.Replace("__", ":", StringComparison.Ordinal)) =>
                $"did you mean --{key.Replace("__", ":", StringComparison.Ordinal)}? '__' joins a setting's parts in environment variables only",
            _ when key.Contains(':', StringComparison.Ordinal) => $"settings are read from the sections {string.Join(", ", Sections)}",
            _ => null,
        };
        return new CommandLineException(known is null ? $"unknown option {option}" : $"unknown option {option}: {known}");
    }

    private static CommandLineException Unexpected(string argument, string? next)
    {
        if (argument.StartsWith('-'))
        {
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            return equals < 0 ? Unknown(argument, argument.TrimStart('-'), next) : Unknown(argument[..equals], argument[..equals].TrimStart('-'), argument[(equals + 1)..]);
        }

        if (argument == VerifyCommand.Name)
        {
            return new CommandLineException($"unexpected argument '{argument}': the {VerifyCommand.Name} command comes first ({VerifyCommand.Name} --data-dir DIR)");
        }

        return new CommandLineException(argument.Contains('=', StringComparison.Ordinal)
            ? $"unexpected argument '{argument}': a setting is written --{argument}"
            : $"unexpected argument '{argument}'");
    }

    private static string Normalize(string key) =>
        key.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
}
