namespace Berth.Plugins;

/// <summary>How a unit relates to a unit it names in <see cref="Unit.References"/>.</summary>
public enum UnitReferenceKind
{
    /// <summary>
    /// The unit is of no use without the other (a manifest needs its config and layers, a list its manifests). A
    /// repository holding the unit holds the other too: promotion brings it along, removal refuses to take it while
    /// the unit stays, retention keeps it for the unit, and verification reports it when it is missing.
    /// </summary>
    Needs,

    /// <summary>
    /// The unit is about the other but does not need it (a signature or an SBOM and its subject). It never keeps the
    /// other in a repository, nor blocks its removal; promotion and retention may take it along with its subject.
    /// </summary>
    RefersTo,

    /// <summary>
    /// The unit is a name for the other (a tag for a manifest); only units of a type with
    /// <see cref="UnitTypeDefinition.Naming"/> have one, exactly one. The name needs its target, but does not block
    /// the target's removal: it goes with it. Where a name points is recorded in the repository's name history.
    /// </summary>
    Target,
}
