namespace Berth.Cli.Connection;

/// <summary>Where to send requests, and as whom (anonymous when there is no username).</summary>
public sealed record Credentials(Uri Server, string? Username, string? Password)
{
    public override string ToString() => $"{Username ?? "anonymous"} at {Server}";
}
