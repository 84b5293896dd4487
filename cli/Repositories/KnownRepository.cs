namespace Berth.Cli.Repositories;

/// <summary>A repository the server has, found by the name the user gave it (its id or its registry name).</summary>
/// <param name="Named">What the user typed: messages name the repository this way.</param>
/// <param name="Id">Its id, by which the content API addresses it.</param>
/// <param name="RegistryName">The name the registry API serves it under, if it has one.</param>
/// <param name="Importers">
/// The importer types registered on it, or <see langword="null"/> when the caller may not read the repository (a
/// push-only grant) and so cannot know.
/// </param>
public sealed record KnownRepository(string Named, string Id, string? RegistryName, IReadOnlyList<string>? Importers)
{
    /// <summary>The repository's path in the content API, ending with a slash.</summary>
    public string Path => $"/repositories/{Uri.EscapeDataString(Id)}/";

    public override string ToString() => Named;
}
