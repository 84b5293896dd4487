namespace Berth.Server.Importers;

/// <summary>What became of an attempt to register an importer.</summary>
public enum ImporterRegistrationOutcome
{
    Added,
    RepositoryMissing,
    AlreadyRegistered,
    TypesConflict,
}
