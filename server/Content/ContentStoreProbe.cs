namespace Berth.Server.Content;

/// <summary>
/// What a content store's probe found: whether it can take content, the room left when the store knows it, and when it
/// cannot, what to check (said to operators by readiness).
/// </summary>
public sealed record ContentStoreProbe(bool Writable, long? FreeBytes, string? Problem);
