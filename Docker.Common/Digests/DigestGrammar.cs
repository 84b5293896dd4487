namespace Docker.Common.Digests;

/// <summary>
/// The digest grammar of the OCI image spec: <c>algorithm ":" encoded</c>, where the algorithm is
/// components of <c>[a-z0-9]+</c> joined by <c>[+._-]</c>, and the encoded part, for the registered
/// algorithms, is lowercase hex of a fixed length.
/// </summary>
internal static class DigestGrammar
{
    private const int MaxLength = 256;

    internal readonly record struct Result(DigestAlgorithm? Algorithm, string? Encoded, string? Problem);

    public static Result Check(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Fail("a digest is required, in the form algorithm:hex (for example sha256:...)");
        }

        if (text.Length > MaxLength)
        {
            return Fail($"'{Shorten(text)}' is not a digest: it is longer than {MaxLength} characters");
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            return Fail($"'{text}' is not a digest: expected algorithm:hex, for example sha256:<64 hex characters>");
        }

        var name = text[..colon];
        var encoded = text[(colon + 1)..];
        if (!IsAlgorithmName(name))
        {
            return Fail($"'{text}' is not a digest: '{name}' is not a valid algorithm name");
        }

        if (!encoded.All(c => char.IsAsciiLetterOrDigit(c) || c is '=' or '_' or '-'))
        {
            return Fail($"'{text}' is not a digest: the part after ':' may only hold letters, digits, '=', '_' and '-'");
        }

        var algorithm = DigestAlgorithm.FromName(name);
        if (algorithm is null)
        {
            var supported = string.Join(" and ", DigestAlgorithm.All.Select(a => a.Name));
            return Fail($"'{text}' uses the unsupported digest algorithm '{name}'; Berth supports {supported}");
        }

        if (encoded.Length != algorithm.EncodedLength || !encoded.All(char.IsAsciiHexDigitLower))
        {
            return Fail($"'{text}' is not a valid {name} digest: it needs exactly {algorithm.EncodedLength} lowercase hex characters after '{name}:'");
        }

        return new Result(algorithm, encoded, null);
    }

    private static bool IsAlgorithmName(string name)
    {
        var previousWasSeparator = true;
        foreach (var c in name)
        {
            var isSeparator = c is '+' or '.' or '_' or '-';
            if (isSeparator && previousWasSeparator)
            {
                return false;
            }

            if (!isSeparator && !char.IsAsciiDigit(c) && !char.IsAsciiLetterLower(c))
            {
                return false;
            }

            previousWasSeparator = isSeparator;
        }

        return !previousWasSeparator;
    }

    private static Result Fail(string problem) => new(null, null, problem);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
