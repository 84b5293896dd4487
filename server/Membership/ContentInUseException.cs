namespace Berth.Server.Membership;

/// <summary>A removal refused because an import or push under way relies on some of the units; nothing was removed.</summary>
public sealed class ContentInUseException(string message) : Exception(message);
