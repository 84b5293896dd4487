using System.Diagnostics;
using Berth.Server.Access;
using Berth.Server.Configuration;
using Berth.Server.Hosting;
using Berth.Server.Repositories;
using Berth.Server.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Berth.Server.Events;

/// <summary>
/// Makes events, with the request and caller under way (or the server itself, for a schedule), and hands them on only
/// when some endpoint wants them: with no endpoint configured, reporting costs a check and writes nothing. An event
/// that reports a change joins the change's <see cref="UnitOfWork"/>; a pull, which changes nothing, goes to the outbox
/// without waiting for the disk.
/// </summary>
public sealed class EventAnnouncer(
    IOptions<BerthOptions> options,
    IHttpContextAccessor http,
    AccessControl access,
    Deferred<IRepositoryStore> repositories,
    Deferred<IEventStore> outbox,
    IServer server,
    TimeProvider clock,
    ILogger<EventAnnouncer> logger)
{
    private readonly EventFilter[] _filters = [.. options.Value.Notifications.Endpoints.Select(e => new EventFilter(e))];
    private readonly string _instanceId = Guid.NewGuid().ToString();
    private string? _address;

    /// <summary>Whether any endpoint is configured: without one, no event is made.</summary>
    public bool IsOn => _filters.Length > 0;

    public bool Wants(string action, string? repository) => _filters.Any(f => f.Wants(action, repository));

    /// <summary>Reports <paramref name="work"/> (a registry change: the target names its repository) once it commits.</summary>
    public async Task AnnounceAsync(UnitOfWork work, string action, EventTarget target)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(target);
        if (Wants(action, target.Repository))
        {
            work.Announce(await NewAsync(action, target));
        }
    }

    /// <summary>Reports <paramref name="work"/>, a change to a repository, which the target names as the registry does (see <see cref="RepositoryNameAsync"/>).</summary>
    public async Task AnnounceAsync(UnitOfWork work, string action, RepositoryId repositoryId, Func<string, EventTarget> target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (IsOn)
        {
            await AnnounceAsync(work, action, target(await RepositoryNameAsync(repositoryId)));
        }
    }

    /// <summary>
    /// Reports a pull from <paramref name="repository"/>: written without waiting for the disk, and without the pull
    /// waiting for the write. The target is made only when some endpoint wants it: pulls are the hottest path.
    /// </summary>
    public async Task AnnouncePullAsync(string repository, Func<EventTarget> target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!Wants(EventActions.Pull, repository))
        {
            return;
        }

        var notification = await NewAsync(EventActions.Pull, target());
        _ = outbox.Value.AppendLazilyAsync([notification]).ContinueWith(
            (written, state) => ((ILogger)state!).LogError(written.Exception, "A pull event could not be written to the outbox; it is lost"),
            logger,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }

    /// <summary>Reports work that stands alone (orphan collection), durable before it returns.</summary>
    public async Task AnnounceAloneAsync(string action, EventTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (Wants(action, target.Repository))
        {
            await outbox.Value.AppendAsync([await NewAsync(action, target)], cancellationToken);
        }
    }

    /// <summary>The name events give a repository: its registry name when it has one (as registry events do), else its id.</summary>
    public async Task<string> RepositoryNameAsync(RepositoryId repositoryId) =>
        (await repositories.Value.FindAsync(repositoryId, CancellationToken.None))?.RegistryName?.Value ?? repositoryId.Value;

    private async Task<NotificationEvent> NewAsync(string action, EventTarget target)
    {
        var context = http.HttpContext;
        var caller = context is null ? null : await access.CallerAsync(context);
        return new NotificationEvent
        {
            Id = Guid.CreateVersion7().ToString(),
            Timestamp = clock.GetUtcNow(),
            Action = action,
            Target = target,
            Request = context is null ? null : new EventRequest
            {
                Id = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier,
                Addr = context.Connection.RemoteIpAddress is { } remote ? $"{remote}:{context.Connection.RemotePort}" : null,
                Host = context.Request.Host.HasValue ? context.Request.Host.Value : null,
                Method = context.Request.Method,
                UserAgent = context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null,
            },
            Actor = new EventActor { Name = caller?.Login },
            Source = new EventSource { Addr = _address ??= Address(), InstanceId = _instanceId },
        };
    }

    // The host and port the server listens on, as distribution gives its own.
    private string Address()
    {
        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var port = Uri.TryCreate(listening, UriKind.Absolute, out var url) ? url.Port : (int?)null;
        return port is { } known ? $"{Environment.MachineName}:{known}" : Environment.MachineName;
    }
}
