namespace Berth.Server.Storage;

/// <summary>Another Berth server (or a verify run) holds the data folder: two on one folder would corrupt it.</summary>
public sealed class DataFolderInUseException(string root, string lockPath, Exception innerException)
    : IOException($"{root} is in use by another Berth server (it holds {lockPath})", innerException);
