namespace Berth.Server.Verification;

/// <summary>One thing <see cref="ContentVerifier"/> found wrong.</summary>
/// <param name="Kind">What is wrong: <c>mismatch</c>, <c>missing</c>, <c>incomplete</c>, <c>dangling_tag</c> or <c>stray</c>.</param>
/// <param name="Subject">What it is wrong with: a content path, a unit, a tag.</param>
/// <param name="Detail">What was found instead of what was expected.</param>
public sealed record ContentProblem(string Kind, string Subject, string Detail)
{
    /// <summary>A content file whose bytes do not hash to the digest it is stored under.</summary>
    public const string Mismatch = "mismatch";

    /// <summary>A unit whose content file is not there.</summary>
    public const string Missing = "missing";

    /// <summary>A unit of a repository that needs a unit the repository does not hold (a manifest, a layer).</summary>
    public const string Incomplete = "incomplete";

    /// <summary>A tag pointing at a manifest its repository does not hold.</summary>
    public const string DanglingTag = "dangling_tag";

    /// <summary>A file under the content folder that is not named by a digest.</summary>
    public const string Stray = "stray";
}
