namespace Berth.Server.Status;

/// <summary>The server's version and the state of its stores.</summary>
public sealed record StatusResponse(
    string ApiVersion,
    StatusVersions Versions,
    StoreState DatabaseConnection,
    ContentStorageState ContentStorage,
    IReadOnlyList<string> KnownWorkers);

public sealed record StatusVersions(string PlatformVersion);

public sealed record StoreState(bool Connected);

public sealed record ContentStorageState(bool Writable, long? FreeBytes);
