namespace Docker.Common.Manifests;

/// <summary>A document that is not a valid manifest, manifest list or index, with every problem found.</summary>
public sealed class ManifestInvalidException : Exception
{
    public ManifestInvalidException(IReadOnlyList<string> problems, bool unsupported = false)
        : base(Describe(problems))
    {
        Problems = problems;
        Unsupported = unsupported;
    }

    public ManifestInvalidException()
        : this(["the document is not a valid manifest"])
    {
    }

    public ManifestInvalidException(string message)
        : this([message])
    {
    }

    public ManifestInvalidException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Each problem, one sentence each, naming where in the document it is.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Whether the document is of a kind Berth deliberately refuses (Docker schema1) rather than broken.</summary>
    public bool Unsupported { get; }

    private static string Describe(IReadOnlyList<string> problems) =>
        problems.Count == 1 ? problems[0] : string.Join("; ", problems);
}
