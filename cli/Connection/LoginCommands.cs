using System.CommandLine;

namespace Berth.Cli.Connection;

/// <summary><c>berth login</c> and <c>berth logout</c>: keep the server and credentials for later commands.</summary>
public static class LoginCommands
{
    public static Command Login()
    {
        var command = new Command(
            "login",
            $"Check the server and credentials (--server, --username, --password-stdin or their BERTH_ variables) and keep them in {LoginFile.Path} (mode 0600)");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var credentials = GlobalOptions.Resolve(parse, Console.In);
            if (credentials.Username is null || credentials.Password is null)
            {
                throw CliException.Usage("login needs --username and a password: --password-stdin, or BERTH_PASSWORD");
            }

            using (var client = new BerthClient(credentials))
            {
                // Any call that needs a signed-in user proves the credentials.
                await client.GetAsync("/content/uploads/", cancellationToken);
            }

            new LoginFile(credentials.Server.ToString(), credentials.Username, credentials.Password).Write();
            CommandAction.OutputOf(parse).Info($"signed in as {credentials.Username} at {credentials.Server}; kept in {LoginFile.Path}");
            return ExitCode.Ok;
        });
        return command;
    }

    public static Command Logout()
    {
        var command = new Command("logout", $"Forget what berth login kept ({LoginFile.Path})");
        command.SetAction(parse =>
        {
            CommandAction.OutputOf(parse).Info(LoginFile.Delete() ? $"removed {LoginFile.Path}" : "not signed in");
            return ExitCode.Ok;
        });
        return command;
    }
}
