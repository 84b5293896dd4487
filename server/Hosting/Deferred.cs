namespace Berth.Server.Hosting;

/// <summary>
/// A service resolved when first used rather than when its user is made. Hosted services are made before the
/// server listens, and what opens the data folder (the stores, the database) must wait until it does (see
/// <see cref="StartupGate"/>): a schedule holds its work through this.
/// </summary>
public sealed class Deferred<TService>(IServiceProvider services)
    where TService : notnull
{
    public TService Value => services.GetRequiredService<TService>();
}
