namespace Berth.Fuzz;

/// <summary>One parser under fuzzing: what to instrument, where to start, and what must hold for any input.</summary>
internal abstract class FuzzTarget
{
    public abstract string Name { get; }

    /// <summary>The assemblies (file names in the build output) whose code the fuzzer should see.</summary>
    public abstract IReadOnlyList<string> InstrumentedAssemblies { get; }

    /// <summary>Valid inputs for afl-fuzz to start mutating from.</summary>
    public abstract IEnumerable<(string Name, string Content)> Seeds();

    /// <summary>Tokens of the input's language, so afl-fuzz can splice whole keywords in.</summary>
    public virtual IEnumerable<string> Dictionary => [];

    /// <summary>
    /// Feeds one input to the parser. Refusing the input the documented way is fine; any other exception, or
    /// a result that breaks <see cref="Expect"/>, is a finding (afl-fuzz records it as a crash).
    /// </summary>
    /// <returns>Whether the parser accepted the input.</returns>
    public abstract bool Run(byte[] input);

    protected static void Expect(bool condition, string invariant)
    {
        if (!condition)
        {
            throw new InvariantBrokenException(invariant);
        }
    }

    public static IReadOnlyList<FuzzTarget> All { get; } =
        [new ManifestTarget(), new DigestTarget(), new ContentRangeTarget(), new RangeTarget()];
}
