namespace Berth.Server.Content;

/// <summary>
/// What a content store's probe found: whether it can take content, the room left when the store knows it, and when it
/// cannot, what to check. <see cref="Problem"/> is said to anyone (readiness is open to anonymous callers) and never
/// names where the store is; <see cref="Detail"/> does, for the log and the console.
/// </summary>
public sealed record ContentStoreProbe(bool Writable, long? FreeBytes, string? Problem, string? Detail = null)
{
    /// <summary>What an operator reads at start or from a command: the detail when there is one.</summary>
    public string? ForOperators => Detail ?? Problem;
}
