using Berth.Plugins;
using Berth.Server.Membership;

namespace Berth.Server.Events;

/// <summary>
/// The target of Berth's own events about one unit, told without knowing its content type: its type, its content
/// digest (a name: the key of what it points at) and, for a name, the name.
/// </summary>
public static class UnitTargets
{
    public static EventTarget Of(string repository, Unit unit, UnitTypes types)
    {
        ArgumentNullException.ThrowIfNull(unit);
        ArgumentNullException.ThrowIfNull(types);
        var isName = types.IsName(unit);
        return new EventTarget
        {
            Repository = repository,
            UnitType = unit.TypeId,
            Digest = isName ? UnitTypes.TargetValueOf(unit) : unit.ContentDigest,
            Tag = isName ? types.NameOf(unit) : null,
        };
    }
}
