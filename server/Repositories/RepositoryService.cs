using System.Text.Json.Nodes;
using Berth.Server.Errors;
using Berth.Server.Importers;
using Docker.Common.References;

namespace Berth.Server.Repositories;

/// <summary>Creates, finds, updates and deletes repositories.</summary>
public sealed class RepositoryService(IRepositoryStore store, TimeProvider clock)
{
    /// <summary>Creates a repository, with <paramref name="importersFor"/>'s registrations for its id stored in the same step.</summary>
    public async Task<Repository> CreateAsync(
        CreateRepositoryCommand command, Func<RepositoryId, IReadOnlyList<ImporterRegistration>> importersFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(importersFor);
        ArgumentNullException.ThrowIfNull(command);
        var repository = new Repository
        {
            Id = command.Id,
            DisplayName = command.DisplayName ?? command.Id.Value,
            Description = command.Description,
            Notes = command.Notes,
            Created = clock.GetUtcNow(),
            RegistryName = command.RegistryName ?? await DefaultRegistryNameAsync(command, cancellationToken),
            AnonymousPull = command.AnonymousPull,
        };
        return await store.TryCreateAsync(repository, importersFor(repository.Id), cancellationToken) switch
        {
            RepositoryWriteOutcome.Written => repository,
            RepositoryWriteOutcome.IdTaken => throw new DuplicateException("repository", command.Id.Value),
            _ => throw RegistryNameTaken(repository.RegistryName!.Value),
        };
    }

    /// <summary>Applies a Pulp-style delta: only the fields it names change.</summary>
    public async Task<Repository> UpdateAsync(RepositoryId id, UpdateRepositoryCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var repository = await store.FindAsync(id, cancellationToken) ?? throw new NotFoundException("repository", id.Value);
        var updated = repository with
        {
            DisplayName = command.DisplayName ?? repository.DisplayName,
            Description = command.Description.IsSet ? command.Description.Value : repository.Description,
            Notes = command.Notes ?? repository.Notes,
            RegistryName = command.RegistryName.IsSet ? command.RegistryName.Value : repository.RegistryName,
            AnonymousPull = command.AnonymousPull ?? repository.AnonymousPull,
        };
        return await store.TryUpdateAsync(updated, cancellationToken) switch
        {
            RepositoryWriteOutcome.Written => updated,
            RepositoryWriteOutcome.Missing => throw new NotFoundException("repository", id.Value),
            _ => throw RegistryNameTaken(updated.RegistryName!.Value),
        };
    }

    /// <summary>Finds a repository by the id in a URL; one that cannot be an id is as missing as one that is not there.</summary>
    public async Task<Repository> GetAsync(string id, CancellationToken cancellationToken) =>
        await FindAsync(id, cancellationToken) ?? throw new NotFoundException("repository", id);

    /// <summary>The repository with the id in a URL, or <see langword="null"/> (also when the text cannot be an id).</summary>
    public async Task<Repository?> FindAsync(string id, CancellationToken cancellationToken) =>
        RepositoryId.TryParse(id, out var repositoryId, out _) ? await store.FindAsync(repositoryId, cancellationToken) : null;

    public Task<Repository?> FindByRegistryNameAsync(RegistryName name, CancellationToken cancellationToken) =>
        store.FindByRegistryNameAsync(name, cancellationToken);

    public Task<IReadOnlyList<Repository>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    /// <inheritdoc cref="IRepositoryStore.ListAsync(RepositoryId?, int, CancellationToken)"/>
    public Task<IReadOnlyList<Repository>> ListAsync(RepositoryId? after, int limit, CancellationToken cancellationToken) =>
        store.ListAsync(after, limit, cancellationToken);

    /// <summary>
    /// Creates a repository for a registry name pushed to for the first time, with the importers
    /// <paramref name="importersFor"/> gives for its id registered in the same step. Its id is the name with '/'
    /// turned into '-', numbered when that id is taken. When another push created it meanwhile, that one is
    /// returned: two clients pushing a new name at once both land in one repository.
    /// </summary>
    public async Task<(Repository Repository, bool Created)> CreateForNameAsync(
        RegistryName name, Func<RepositoryId, IReadOnlyList<ImporterRegistration>> importersFor, CancellationToken cancellationToken)
    {
        var baseId = name.Value.Replace('/', '-');
        for (var attempt = 1; ; attempt++)
        {
            var candidate = attempt == 1 ? baseId : $"{baseId}-{attempt}";
            if (!RepositoryId.TryParse(candidate[..Math.Min(candidate.Length, RepositoryId.MaxLength)], out var id, out _))
            {
                throw new InvalidOperationException($"'{candidate}' should be a valid repository id");
            }

            var repository = new Repository
            {
                Id = id,
                DisplayName = name.Value,
                Created = clock.GetUtcNow(),
                RegistryName = name,
            };
            switch (await store.TryCreateAsync(repository, importersFor(id), cancellationToken))
            {
                case RepositoryWriteOutcome.Written:
                    return (repository, true);
                case RepositoryWriteOutcome.RegistryNameTaken:
                    return (await store.FindByRegistryNameAsync(name, cancellationToken)
                        ?? throw new InvalidOperationException($"registry name {name} is taken, yet no repository has it"), false);
            }
        }
    }

    // The id serves as the registry name when it is one and no other repository has claimed it.
    private async Task<RegistryName?> DefaultRegistryNameAsync(CreateRepositoryCommand command, CancellationToken cancellationToken) =>
        command.IdAsRegistryName is { } name && await store.FindByRegistryNameAsync(name, cancellationToken) is null
            ? name
            : null;

    private static ApiException RegistryNameTaken(RegistryName name) => new(
        ApiError.DuplicateResource,
        $"registry name '{name}' is already used by another repository",
        new JsonObject { ["registry_name"] = name.Value });
}
