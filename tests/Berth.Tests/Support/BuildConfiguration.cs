namespace Berth.Tests.Support;

/// <summary>The configuration the tests were built in: a test that packs or publishes the clone's projects uses it too.</summary>
internal static class BuildConfiguration
{
#if DEBUG
    public const string Name = "Debug";
#else
    public const string Name = "Release";
#endif
}
