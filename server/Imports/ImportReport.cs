using Berth.Plugins;
using Berth.Server.Storage;

namespace Berth.Server.Imports;

/// <summary>
/// Reports an import in its own work, once the importer has made the unit and before the work commits, so that the
/// report (an event) is written with what it reports. The caller knows what to call it (a registry push, a content API
/// import, a promoted name); the import does not.
/// </summary>
public delegate Task ImportReport(UnitOfWork work, Unit unit);
