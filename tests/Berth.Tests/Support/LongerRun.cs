namespace Berth.Tests.Support;

/// <summary>
/// The longer run (<c>BERTH_TEST_LONG=1</c>): tests that repeat a hazard (kills at random moments, collections racing
/// pushes) go through more rounds of it. The default run keeps enough rounds of each to meet the hazard.
/// </summary>
public static class LongerRun
{
    public const string Variable = "BERTH_TEST_LONG";

    public static bool IsOn => Environment.GetEnvironmentVariable(Variable) is "1" or "true";

    /// <summary><paramref name="inDefaultRun"/> rounds, or <paramref name="inLongerRun"/> in the longer run.</summary>
    public static int Rounds(int inDefaultRun, int inLongerRun) => IsOn ? inLongerRun : inDefaultRun;
}
