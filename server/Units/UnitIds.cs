namespace Berth.Server.Units;

/// <summary>
/// New unit ids: 32 hex digits that begin with the time they were made (UUID version 7), so that the units one import
/// stores, and those stored close in time, sit together in the store's indexes instead of at random places in them.
/// </summary>
public static class UnitIds
{
    public static string New() => Guid.CreateVersion7().ToString("N");
}
