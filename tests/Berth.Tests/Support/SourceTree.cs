namespace Berth.Tests.Support;

/// <summary>The clone the tests were built from: documents that must agree with the code live there.</summary>
internal static class SourceTree
{
    /// <summary>The folder holding <c>Berth.slnx</c>, found upwards from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Berth.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no Berth.slnx above {AppContext.BaseDirectory}: the tests run from a build inside the clone");
    }
}
