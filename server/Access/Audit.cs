namespace Berth.Server.Access;

/// <summary>
/// The audit log: one structured line per change of content or access (pushes, imports, tags, deletions,
/// repositories, users, grants, tokens), with who made it, when (the log's timestamp) and from where. It goes to
/// the log category <c>Berth.Audit</c>, which operators can route on its own.
/// </summary>
public sealed class Audit(ILoggerFactory loggers, AccessControl access, IHttpContextAccessor http)
{
    private readonly ILogger _log = loggers.CreateLogger("Berth.Audit");

    public async Task RecordAsync(HttpContext context, string action, string target, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = await access.CallerAsync(context);
        _log.LogInformation(
            "audit action={Action} target={Target} user={User} from={Address} detail={Detail}",
            action,
            target,
            caller.Login ?? "(anonymous)",
            context.Connection.RemoteIpAddress?.ToString() ?? "(local)",
            detail ?? string.Empty);
    }

    /// <summary>A change made for the request under way, if there is one, else by the server itself (a schedule).</summary>
    public Task RecordAsync(string action, string target, string? detail = null)
    {
        if (http.HttpContext is { } context)
        {
            return RecordAsync(context, action, target, detail);
        }

        _log.LogInformation("audit action={Action} target={Target} user={User} from={Address} detail={Detail}", action, target, "(server)", "(local)", detail ?? string.Empty);
        return Task.CompletedTask;
    }
}
