namespace Berth.Plugins;

/// <summary>
/// Declares a unit type whose units are names within one repository, each pointing at one other unit (Docker's
/// tags). The server moves, copies and records names by what this says, without knowing the type.
/// </summary>
/// <param name="NameField">The key field that holds the name, as users see it (for example <c>name</c>).</param>
/// <param name="RepositoryField">
/// The key field that holds the id of the name's repository (for example <c>repo_id</c>): a name belongs to one
/// repository, and promotion copies it to another by setting this field to the other's id.
/// </param>
/// <param name="TargetField">
/// The <c>unit_metadata</c> field an import of a name takes for what it points at: the value of the target's key, which
/// for a unit a name may point at has exactly one field (for example <c>manifest_digest</c>, a manifest's digest). The
/// server sets names this way when it promotes them to another repository or rolls them back.
/// </param>
/// <param name="TargetTypeIds">The unit types a name of this type may point at.</param>
public sealed record UnitNaming(string NameField, string RepositoryField, string TargetField, IReadOnlyList<string> TargetTypeIds);
