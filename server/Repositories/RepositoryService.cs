using Berth.Server.Errors;

namespace Berth.Server.Repositories;

/// <summary>Creates, finds and deletes repositories.</summary>
public sealed class RepositoryService(IRepositoryStore store, TimeProvider clock)
{
    public async Task<Repository> CreateAsync(CreateRepositoryCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var repository = new Repository
        {
            Id = command.Id,
            DisplayName = command.DisplayName ?? command.Id.Value,
            Description = command.Description,
            Notes = command.Notes,
            Created = clock.GetUtcNow(),
        };
        return await store.TryCreateAsync(repository, cancellationToken)
            ? repository
            : throw ApiException.Duplicate("repository", command.Id.Value);
    }

    /// <summary>Finds a repository by the id in a URL; one that cannot be an id is as missing as one that is not there.</summary>
    public async Task<Repository> GetAsync(string id, CancellationToken cancellationToken) =>
        RepositoryId.TryParse(id, out var repositoryId, out _) && await store.FindAsync(repositoryId, cancellationToken) is { } repository
            ? repository
            : throw ApiException.NotFound("repository", id);

    public Task<IReadOnlyList<Repository>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (!RepositoryId.TryParse(id, out var repositoryId, out _) || !await store.DeleteAsync(repositoryId, cancellationToken))
        {
            throw ApiException.NotFound("repository", id);
        }
    }
}
