namespace Berth.Server.Storage.Migration;

/// <summary>The parts of a migration, each recorded once complete so that a migration cut off skips them when run again.</summary>
public static class MigrationSteps
{
    public const string Access = "users and tokens";
    public const string Repositories = "repositories, importers and retention policies";
    public const string Content = "units and associations";
    public const string HistoryAndState = "tag history, uploads, marks and events";

    public static IReadOnlyList<string> All { get; } = [Access, Repositories, Content, HistoryAndState];
}
