using Berth.Server.Access;
using Berth.Server.Clients;
using Berth.Server.Content;
using Berth.Server.Hosting;
using Berth.Server.Membership;
using Berth.Server.Plugins;
using Berth.Server.Storage;
using Berth.Server.Units;
using Berth.Server.Uploads;

namespace Berth.Server;

/// <summary>
/// Start-up in two steps. Before the server listens: the plugins, so that a broken plugin file stops start-up with
/// a clear message before anything else happens. Once it listens: the data folder (see <see cref="DataLayout.Prepare"/>),
/// the database and the first administrator, while requests wait at the <see cref="StartupGate"/>. Listening
/// comes first so that an address already in use stops the server before it creates anything in a new data folder.
/// </summary>
internal sealed class StartupPreparation(IServiceProvider services, StartupGate gate, ILogger<StartupPreparation> logger) : IHostedLifecycleService
{
    private const string AdminPasswordVariable = "BERTH_ADMIN_PASSWORD";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var catalog = services.GetRequiredService<PluginCatalog>();
        foreach (var importer in catalog.Importers)
        {
            var types = importer.Metadata.Types.Count > 0 ? string.Join(", ", importer.Metadata.Types.Select(t => t.Id)) : "no unit type of its own";
            logger.LogInformation("Loaded importer {Id} ({Types}) from {Assembly}", importer.Id, types, importer.Conf.AssemblyPath);
        }

        logger.LogInformation("{ConnectionLimits}", services.GetRequiredService<ConnectionLimiter>().Limits);
        return Task.CompletedTask;
    }

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PrepareDataAsync(cancellationToken);
        }
        catch
        {
            gate.Fail();
            throw;
        }

        gate.Open();
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task PrepareDataAsync(CancellationToken cancellationToken)
    {
        var layout = services.GetRequiredService<DataLayout>();
        await services.GetRequiredService<IMetadataDatabase>().OpenAsync(cancellationToken);
        if (await services.GetRequiredService<IContentStore>().ProbeAsync(cancellationToken) is { Writable: false } content)
        {
            throw new ContentStoreUnavailableException(content.ForOperators ?? "it cannot take content");
        }

        await AddMissingReferencesAsync(cancellationToken);
        await services.GetRequiredService<UploadService>().RecoverAsync(cancellationToken);
        _ = services.GetRequiredService<TokenSigner>();
        await CreateFirstAdministratorAsync(layout, cancellationToken);
        logger.LogInformation("Data in {DataDir}", layout.Root);
        if (layout.NotPrivate is { } reason)
        {
            logger.LogWarning("The data folder {DataDir} could not be made readable by its owner only ({Reason}): make it mode 0700", layout.Root, reason);
        }
    }

    /// <summary>
    /// Units stored before references were kept get them now, from the importers of their types, once: removal,
    /// promotion, retention and verification know a unit's needs only from them.
    /// </summary>
    private async Task AddMissingReferencesAsync(CancellationToken cancellationToken)
    {
        var types = services.GetRequiredService<UnitTypes>();
        var added = await services.GetRequiredService<IUnitStore>().AddMissingReferencesAsync(types.ReferencesOf, cancellationToken);
        if (added > 0)
        {
            logger.LogInformation("Recorded the references of {Count} units stored before references were kept", added);
        }
    }

    /// <summary>
    /// On the first start, the <c>admin</c> user: with <c>BERTH_ADMIN_PASSWORD</c> (or <c>Berth:AdminPassword</c>) when
    /// set, else with a random password that is kept in a file only its owner can read. On a later start the
    /// setting changes nothing, and the log says so: a password that silently does not work costs an afternoon.
    /// </summary>
    private async Task CreateFirstAdministratorAsync(DataLayout layout, CancellationToken cancellationToken)
    {
        var fromEnvironment = services.GetRequiredService<IConfiguration>()[AdminPasswordVariable];
        var configured = fromEnvironment
            ?? services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.BerthOptions>>().Value.AdminPassword;
        var password = await services.GetRequiredService<UserService>().CreateFirstAdministratorAsync(configured is { Length: > 0 } ? configured : null, cancellationToken);
        if (password is null)
        {
            if (configured is { Length: > 0 })
            {
                logger.LogWarning(
                    "{Setting} is ignored: {DataDir} already has its users, and the setting gives user {Login} its password only when the first start of a data folder creates it. " +
                    "Sign in with the password it has (a generated one is in {File}) and change it with PUT /pulp/api/v2/users/" + UserService.AdministratorLogin +
                    "/ and {{\"delta\": {{\"password\": \"...\"}}}}, or start on a new --data-dir",
                    fromEnvironment is null ? "Berth:AdminPassword" : AdminPasswordVariable,
                    layout.Root,
                    UserService.AdministratorLogin,
                    layout.AdminPassword);
            }

            return;
        }

        if (password.Length == 0)
        {
            logger.LogWarning("Created user {Login} with the password from the configuration", UserService.AdministratorLogin);
            return;
        }

        await File.WriteAllTextAsync(layout.AdminPassword, string.Empty, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(layout.AdminPassword, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await File.WriteAllTextAsync(layout.AdminPassword, password + Environment.NewLine, cancellationToken);

        // Not in the log: logs are shipped and kept where a password should not be.
        logger.LogWarning(
            "Created user {Login} with a generated password, written to {File} (readable only by this account). To choose it instead, set BERTH_ADMIN_PASSWORD on the first start of a new data folder.",
            UserService.AdministratorLogin,
            layout.AdminPassword);
    }
}
