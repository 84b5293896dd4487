using System.Reflection;

namespace Berth.Server.Hosting;

/// <summary>What <c>--help</c> and <c>--version</c> print.</summary>
public static class ServerUsage
{
    public const string Text = """
        Usage: Berth.Server [verify | migrate] [OPTION...]
               from a clone: dotnet run --project server -- [verify | migrate] [OPTION...]

        Serves Berth's content API and registry API until stopped (Ctrl-C or SIGTERM).

        Options:
          --urls URL[;URL...]     where to listen (default http://localhost:24817);
                                  --urls http://0.0.0.0:PORT listens on every address
          --data-dir DIR          where everything is stored (default ./data, in the folder the server starts in)
          --plugins-conf-dir DIR  the importer plugin files (default plugins.conf.d next to the server)
          --Section:Key=VALUE     any setting of the sections Berth, Logging and Kestrel, also written
                                  --Section:Key VALUE: --Berth:MaxUploadBytes=10737418240,
                                  --Logging:LogLevel:Default=Warning
          --environment NAME      read appsettings.NAME.json too
          -h, --help              show this help and exit
          --version               show the version and exit

        Commands:
          verify                  with the server stopped, check every stored file against its digest and what
                                  every unit needs, then exit: 0 no problems, 1 problems found, 2 the data folder
                                  cannot be used
          migrate                 with the server stopped, copy the data folder's embedded metadata into the
                                  PostgreSQL database that --Berth:Metadata:Provider=PostgreSql and
                                  --Berth:Metadata:ConnectionString=... name (content stays in the data folder);
                                  run it again to go on after an interruption. Exit code 0 copied, 2 it cannot be

        Environment:
          BERTH_ADMIN_PASSWORD    the password of the user admin, created on the first start; ignored once it
                                  exists. Without it, a random one is written to DATA/admin-password.
          Berth__Section__Key     any setting, as --Berth:Section:Key (':' is written '__' in variable names)

        Exit codes: 0 stopped; 2 a wrong command line or setting, or the server cannot start (the last line says
        why). Every setting is described under "Configuration" in README.md.

        """;

    /// <summary>The server's version, with the commit it was built from when the build knew it.</summary>
    public static string Version =>
        typeof(ServerUsage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
