using Berth.Plugins;
using Berth.Server.Membership;

namespace Berth.Server.Storage;

/// <summary>
/// What a committed <see cref="UnitOfWork"/> stored: the id each saved unit has in the store. A unit that another
/// import stored between the work's save and its commit keeps that import's id.
/// </summary>
public sealed class CommittedWork(IReadOnlyDictionary<UnitIdentity, string> unitIds)
{
    public static CommittedWork Nothing { get; } = new(new Dictionary<UnitIdentity, string>());

    /// <summary>The unit as stored: with the id it has in the store.</summary>
    public Unit Resolve(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return unitIds.TryGetValue(UnitIdentity.Of(unit), out var id) && id != unit.Id ? unit with { Id = id } : unit;
    }
}
