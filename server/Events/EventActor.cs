namespace Berth.Server.Events;

/// <summary>Who made the change: the signed-in user; none for an anonymous pull or the server's own schedules.</summary>
public sealed record EventActor
{
    public string? Name { get; init; }
}
