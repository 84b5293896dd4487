namespace Berth.Server.Content;

/// <summary>The content store cannot take content at start (a bucket that does not answer, say): the server stops, saying what to check.</summary>
public sealed class ContentStoreUnavailableException(string message) : Exception(message);
