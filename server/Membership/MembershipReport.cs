using Berth.Plugins;
using Berth.Server.Storage;

namespace Berth.Server.Membership;

/// <summary>
/// Reports units joining or leaving a repository in the work that makes the change, before it commits, so that the
/// report (an event) is written with it. The caller knows what to call the change (a registry delete, a retention run).
/// </summary>
public delegate Task MembershipReport(UnitOfWork work, IReadOnlyList<Unit> units);
