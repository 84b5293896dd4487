using System.CommandLine;

namespace Berth.Cli.Repositories;

/// <summary>
/// How a command line names a repository: by its id or by its registry name (<c>team/app</c>), as
/// <see cref="RepositoryFinder"/> resolves it.
/// </summary>
public static class RepositoryReference
{
    public const string Description = "The repository: its id, or the registry name it is served under (team/app)";

    public static Option<string> Option() => new("--repo", "-r") { Description = Description, Required = true };

    /// <summary>An option naming a repository in a role of its own, such as <c>--from</c>.</summary>
    public static Option<string> Option(string name, string role) =>
        new(name) { Description = $"{role}: its id, or its registry name", Required = true };

    public static Argument<string> Argument() => new("repo") { Description = Description };
}
