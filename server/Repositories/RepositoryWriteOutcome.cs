namespace Berth.Server.Repositories;

/// <summary>What became of an attempt to create or update a repository.</summary>
public enum RepositoryWriteOutcome
{
    Written,
    IdTaken,
    RegistryNameTaken,
    Missing,
}
