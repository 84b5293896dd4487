namespace Berth.Server.Uploads;

/// <summary>A part as the part store lists it: whose, its name, and when it was stored.</summary>
public sealed record StoredUploadPart(UploadId Upload, string Name, DateTimeOffset Stored);
