namespace Berth.Server.Storage;

/// <summary>The metadata store's schema is not one this server can run on (newer than it knows): nothing was changed.</summary>
public sealed class MetadataSchemaException(string message) : Exception(message);
