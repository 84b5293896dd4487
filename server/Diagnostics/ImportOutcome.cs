namespace Berth.Server.Diagnostics;

/// <summary>The <c>outcome</c> label of <see cref="ServerMetrics.Imports"/>.</summary>
public static class ImportOutcome
{
    /// <summary>Committed.</summary>
    public const string Imported = "imported";

    /// <summary>Refused by the importer (bad bytes, a missing reference) or failed at commit.</summary>
    public const string Failed = "failed";

    /// <summary>The client went away or the server stopped before the commit.</summary>
    public const string Canceled = "canceled";
}
