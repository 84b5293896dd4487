namespace Berth.Server.Storage;

/// <summary>The metadata store as a whole, apart from its stores of each kind: opened at start, probed by health checks.</summary>
public interface IMetadataDatabase
{
    /// <summary>Opens the store and brings its schema up to date; start-up waits for it before it serves anything.</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>Whether other servers may use the store at the same time (PostgreSQL), rather than this process alone (the embedded file).</summary>
    bool IsShared { get; }

    /// <summary>Whether the store answers a read now.</summary>
    bool IsConnected();

    /// <summary>Writes waiting for a transaction of their own (a gauge; 0 where writers do not queue in the server).</summary>
    int WritersWaiting { get; }
}
