using Berth.Server.Access;

namespace Berth.Server.Storage.PostgreSql;

/// <summary>
/// Failed sign-ins shared through PostgreSQL's NOTIFY on <see cref="PostgreSqlChangeFeed.SignInFailures"/>, heard on
/// the change feed's connection. Nothing is stored: a server that starts, or whose feed reconnects, misses the failures
/// of at most the throttle's one-minute window.
/// </summary>
public sealed partial class PostgreSqlSignInFailureFeed(PostgreSqlDatabase database, ILogger<PostgreSqlSignInFailureFeed> logger) : ISignInFailureFeed
{
    public void Tell(string key) => _ = TellAsync(key);

    public void Hear(Action<string> heard) => database.Changes.HearSignInFailures(heard);

    private async Task TellAsync(string key)
    {
        try
        {
            await database.NotifyAsync(PostgreSqlChangeFeed.SignInFailures, database.Changes.Tagged(key), CancellationToken.None);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            LogNotTold(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A failed sign-in was not told to the other servers ({Reason}): until the next, they throttle without it")]
    private static partial void LogNotTold(ILogger logger, string reason);
}
