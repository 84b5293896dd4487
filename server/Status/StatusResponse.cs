namespace Berth.Server.Status;

/// <summary>The server's version and the state of its stores.</summary>
public sealed record StatusResponse(
    string ApiVersion,
    StatusVersions Versions,
    StoreState DatabaseConnection,
    ContentStorageState ContentStorage,
    IReadOnlyList<string> KnownWorkers,
    SchedulerState Scheduler);

public sealed record StatusVersions(string PlatformVersion);

public sealed record StoreState(bool Connected);

public sealed record ContentStorageState(bool Writable, long? FreeBytes);

/// <summary>Whether this server runs scheduled work: always on the embedded store, one server at a time among those sharing PostgreSQL.</summary>
public sealed record SchedulerState(bool Leader);
